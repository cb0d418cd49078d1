"""Reading a database file: detect its format and convert it with the right reader."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pricing.catalog import Catalog, CatalogError, load_catalog
from pricing.importers.genai_prices import genai_prices_to_models
from pricing.importers.litellm import litellm_to_models
from pricing.importers.records import LITELLM, ImportResult, InputError, detect_format
from pricing.importers.wheels import WheelData, is_wheel, read_wheel

# ------------------------------------------------------------------- reading a file


def read_price_file(path: Path | str, expected: str | None = None) -> ImportResult:
    """Read a LiteLLM or genai-prices JSON file, or either package's wheel, and convert it.

    Parameters
    ----------
    path : Path or str
        The JSON file, or a ``litellm-*.whl`` / ``genai_prices-*.whl`` from ``pip download --no-deps``.
    expected : str, optional
        :data:`LITELLM` or :data:`GENAI_PRICES` to insist on one format; None detects it.

    Returns
    -------
    ImportResult
        The converted models; the label names the file and its SHA-256 (or the wheel's
        version), so the notes written to the catalog say which version was used. Records
        from a wheel cite the database file at that version's tag.

    Raises
    ------
    InputError
        Missing or unreadable file, invalid JSON, or an unrecognised or unexpected format.
    """
    path = Path(path)
    if is_wheel(path):
        wheel = read_wheel(path)
        if expected is not None and wheel.database != expected:
            raise InputError(f"{path} looks like a {wheel.database} file, not {expected}")
        return convert_wheel(wheel, path.name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    found = detect_format(data)
    if found is None:
        raise InputError(f"{path} is neither a LiteLLM price map nor a genai-prices data file")
    if expected is not None and found != expected:
        raise InputError(f"{path} looks like a {found} file, not {expected}")
    label = f"{found} {path.name} (sha256 {hashlib.sha256(raw).hexdigest()[:12]})"
    return litellm_to_models(data, label) if found == LITELLM else genai_prices_to_models(data, label)


def convert_wheel(wheel: WheelData, file_name: str) -> ImportResult:
    """Convert the data read from a wheel; every record cites the database file at the wheel's version."""
    label = f"{wheel.database} {wheel.version} ({file_name})"
    reader = litellm_to_models if wheel.database == LITELLM else genai_prices_to_models
    return reader(wheel.data, label, source=wheel.url)


def load_catalog_for_cli(directory: Path | str) -> Catalog:
    """:func:`load_catalog`, turning a failure into :class:`InputError` for the CLI."""
    try:
        return load_catalog(directory)
    except CatalogError as exc:
        raise InputError(f"cannot load the price catalog from {directory}: {exc}") from None
