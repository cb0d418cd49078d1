"""Reading the databases straight from the wheels ``pip download --no-deps`` fetches, without installing them.

- ``litellm-<ver>-*.whl`` carries ``litellm/model_prices_and_context_window_backup.json``;
- ``genai_prices-<ver>-*.whl`` carries ``genai_prices/data.py``: Python source, a list of
  ``Provider(...)`` constructor calls holding ``Decimal('...')`` prices and ``datetime.date(...)``
  dates. It is never imported or executed: :func:`genai_data_from_source` walks its syntax tree
  and accepts only constants, lists, dicts, keyword-only constructor calls, ``Decimal``,
  ``datetime.date``/``datetime.time`` and ``datetime.UTC``; anything else is refused. The result
  has the shape of genai-prices' JSON feed, so one reader serves both.

A wheel's name gives its version; :func:`database_url` gives the tagged file in the
database's repository, which is what a generated entry cites.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pricing.importers.records import GENAI_PRICES, LITELLM, InputError

LITELLM_MEMBERS = (
    "litellm/model_prices_and_context_window_backup.json",
    "litellm/model_prices_and_context_window.json",
)
GENAI_PRICES_MEMBER = "genai_prices/data.py"
# The file each database keeps in its repository, tagged per release.
REPOSITORY_FILES = {
    LITELLM: "https://github.com/BerriAI/litellm/blob/v{version}/model_prices_and_context_window.json",
    # The data module the wheel ships, as generated in the repository at the release tag.
    GENAI_PRICES: "https://github.com/pydantic/genai-prices/blob/v{version}/packages/python/genai_prices/data.py",
}
_WHEEL_NAME = re.compile(r"^(?P<name>litellm|genai_prices)-(?P<version>[0-9][^-]*)-")
# A generated data module is ~1.6 MB; anything far larger is not one.
MAX_MEMBER_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class WheelData:
    """One database read from a wheel: which database, its version, and the parsed data."""

    database: str
    version: str
    member: str
    data: Any

    @property
    def url(self) -> str:
        """The versioned URL of the database's file in its repository."""
        return database_url(self.database, self.version)


def database_url(database: str, version: str) -> str:
    """The tagged file of ``database`` at ``version`` in its repository.

    >>> database_url("LiteLLM", "1.110.2")
    'https://github.com/BerriAI/litellm/blob/v1.110.2/model_prices_and_context_window.json'
    """
    return REPOSITORY_FILES[database].format(version=version)


def is_wheel(path: Path | str) -> bool:
    """True for a ``.whl`` file name (the content is checked when it is read)."""
    return str(path).endswith(".whl")


def read_wheel(path: Path | str) -> WheelData:
    """The price data inside a LiteLLM or genai-prices wheel.

    Raises
    ------
    InputError
        Not a readable wheel of either package, or its data file is missing or not data.
    """
    path = Path(path)
    match = _WHEEL_NAME.match(path.name)
    if match is None:
        raise InputError(f"{path.name} is not a litellm or genai_prices wheel (expected e.g. litellm-1.110.2-*.whl)")
    try:
        with zipfile.ZipFile(path) as wheel:
            names = set(wheel.namelist())
            if match["name"] == "litellm":
                member = next((m for m in LITELLM_MEMBERS if m in names), None)
                database = LITELLM
            else:
                member = GENAI_PRICES_MEMBER if GENAI_PRICES_MEMBER in names else None
                database = GENAI_PRICES
            if member is None:
                raise InputError(f"{path.name} holds no price data file")
            if wheel.getinfo(member).file_size > MAX_MEMBER_BYTES:
                raise InputError(f"{path.name}: {member} is larger than {MAX_MEMBER_BYTES // 2**20} MiB")
            raw = wheel.read(member)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(raw) if database == LITELLM else genai_data_from_source(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, SyntaxError, RecursionError) as exc:
        raise InputError(f"{path.name}: {member} is not price data: {exc}") from None
    return WheelData(database, match["version"], member, data)


def genai_data_from_source(source: str) -> list[dict[str, Any]]:
    """genai-prices' ``providers`` list from the source of its ``data.py``, without running it.

    Constructor calls become dicts of their keyword arguments (a trailing ``_`` is dropped:
    ``or_`` -> ``or``), ``Decimal('0.15')`` a float, ``datetime.date(2025, 6, 10)`` a date,
    ``datetime.time(1, 0, tzinfo=datetime.UTC)`` an ``HH:MM`` string.

    >>> genai_data_from_source("providers = [Provider(id='x', models=[ModelInfo(id='m', prices=ModelPrice(input_mtok=Decimal('1.5')))])]")
    [{'id': 'x', 'models': [{'id': 'm', 'prices': {'input_mtok': 1.5}}]}]

    Raises
    ------
    ValueError
        No ``providers`` assignment, or an expression that is not plain data.
    """
    tree = ast.parse(source)
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "providers" and node.value is not None:
            providers = _plain(node.value)
            if not isinstance(providers, list):
                raise ValueError("'providers' is not a list")
            return providers
    raise ValueError("no 'providers = [...]' assignment")


def _plain(node: ast.AST) -> Any:
    """The plain value of a data expression; ValueError for anything that is not data."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        return [_plain(item) for item in node.elts]
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise ValueError(f"line {node.lineno}: '**' in a dict")
        return {_plain(k): _plain(v) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    if _dotted(node) == "datetime.UTC":
        return "UTC"
    if isinstance(node, ast.Call):
        return _plain_call(node)
    raise ValueError(f"line {getattr(node, 'lineno', '?')}: {type(node).__name__} is not plain data")


def _plain_call(node: ast.Call) -> Any:
    name = _dotted(node.func)
    args = [_plain(a) for a in node.args]
    kwargs = {kw.arg: _plain(kw.value) for kw in node.keywords if kw.arg is not None}
    if len(kwargs) != len(node.keywords):
        raise ValueError(f"line {node.lineno}: '**' in a call")
    if name == "Decimal" and len(args) == 1 and not kwargs and isinstance(args[0], str | int):
        try:
            return float(Decimal(args[0]))
        except InvalidOperation:
            raise ValueError(f"line {node.lineno}: bad Decimal {args[0]!r}") from None
    if name == "datetime.date" and len(args) == 3 and not kwargs:
        return dt.date(*args)
    if name == "datetime.time" and 1 <= len(args) <= 3 and set(kwargs) <= {"tzinfo"}:
        return dt.time(*args).strftime("%H:%M")
    if name is not None and "." not in name and name[:1].isupper() and not args:
        return {key.rstrip("_"): value for key, value in kwargs.items()}
    raise ValueError(f"line {node.lineno}: call to {name or 'an expression'} is not plain data")


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def describe(wheel: WheelData) -> Mapping[str, str]:
    """The provenance record of a wheel: database, version, versioned URL, member read."""
    return {"database": wheel.database, "version": wheel.version, "url": wheel.url, "file": wheel.member}
