"""`streamlit run` on a free loopback port, and how Playwright launches Debian's Chromium.

Shared by the browser tests (conftest.py) and benchmarks/page_load.py, so both measure the same
server and the same browser.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 60

# The app's first page is complete: the Compare tab's bars drawn, the cost cards there, and no element still waiting
# for its script (Streamlit draws a skeleton in its place). Elements of different kinds load their scripts
# independently: the chart can be drawn before the cards.
FIRST_PAGE_COMPLETE = """() => !!document.querySelector('.st-key-chart_comparison canvas')
  && !!document.querySelector('[data-testid="stMetricValue"]')
  && !!document.querySelector('[data-testid="stSidebar"] [data-testid="stNumberInput"] input')
  && !document.querySelector('[data-testid="stSkeleton"]')"""

# The ECharts options of the page's charts as Streamlit handed them to each chart (a JSON string per chart, in page
# order): read from the React props of each chart element, the data the chart was drawn from.
ECHARTS_OPTIONS = """(root) => [...(root || document).querySelectorAll('[data-testid="stEChartsChart"]')].map(el => {
  for (let node = el; node; node = node.parentElement) {
    const fiber = Object.keys(node).find(k => k.startsWith('__reactFiber$'));
    for (let f = fiber && node[fiber]; f; f = f.return) {
      const props = f.memoizedProps;
      if (props && props.element && typeof props.element.spec === 'string') return props.element.spec;
    }
  }
  return null;
})"""


class ServerDidNotStart(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(script: Path, log_path: Path | None = None) -> Iterator[str]:
    """Serve ``script`` (from its own folder, so its .streamlit/config.toml applies); yield its URL.

    The server's output goes to ``log_path`` (for when a browser test fails) or nowhere.
    Raises ``ServerDidNotStart`` when /_stcore/health does not answer within a minute.
    """
    port = _free_port()
    log = log_path.open("w") if log_path else subprocess.DEVNULL
    command = [sys.executable, "-m", "streamlit", "run", script.name, "--server.headless", "true"]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none"]
    proc = subprocess.Popen(command, cwd=script.parent, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(f"streamlit did not start on {url} (exit code {proc.poll()})")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log_path:
            log.close()


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Connected and not running: the same two selectors as Streamlit's own e2e helper."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", state="attached", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached", timeout=timeout)


def address(page) -> str:
    """The address bar now. (Playwright's ``page.url`` can lag behind a burst of ``history.pushState``:
    the page writes its link after every run.)"""
    return page.evaluate("location.href")


def expect_address(page, pattern: str, timeout: float = 10_000) -> None:
    """Wait (checking every frame) until the address bar matches the regular expression ``pattern``."""
    page.wait_for_function("([p]) => new RegExp(p).test(location.href)", arg=[pattern], polling="raf", timeout=timeout)
