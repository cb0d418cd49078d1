"""Import prices from the ecosystem's price databases into the catalog YAML.

Two databases are read:

- LiteLLM's ``model_prices_and_context_window.json``: a flat mapping of model keys to
  USD **per token** (``input_cost_per_token``, ``cache_read_input_token_cost``,
  ``input_cost_per_token_above_200k_tokens``, ``input_cost_per_token_batches``...);
- pydantic's genai-prices ``prices/new_data/v2/data.json``: a list of providers, each with models
  priced in USD **per million** tokens (``input_mtok``...), optional tiered prices
  ``{base, tiers: [{start, price}]}`` and a price history of
  ``{constraint: {start_date}, prices}`` entries.

Both are converted to :class:`ImportedModel` records (catalog vendor, proposed catalog
id, $ per 1M prices); from there one shared path matches them to the catalog, builds a
:class:`CatalogDiff`, prints it, and with ``--write`` applies it to the vendor files.

Writing edits the vendor files in place, line by line, so comments and layout survive:
a price change sets ``to:`` on the current entry and inserts a new entry after it, a new
model is appended to the ``models:`` list. Every edited file is checked to parse back to
exactly the intended data, the whole catalog is validated with
:func:`pricing.catalog.build_catalog` before anything is written, files are replaced
atomically, and the catalog is loaded again afterwards.

The package, one module per job:

- :mod:`~pricing.importers.records`: the shared records and units;
- :mod:`~pricing.importers.vendors`: the vendor table and how new models are named;
- :mod:`~pricing.importers.litellm`, :mod:`~pricing.importers.genai_prices`: one reader per database;
- :mod:`~pricing.importers.sources`: reading a file (format detection);
- :mod:`~pricing.importers.matching`, :mod:`~pricing.importers.diff`, :mod:`~pricing.importers.report`:
  matching to the catalog, the diff, and its text;
- :mod:`~pricing.importers.yaml_edit`, :mod:`~pricing.importers.write`: writing the vendor files;
- :mod:`~pricing.importers.command`: the ``import-*`` commands.
"""

from pricing.importers.command import run_import
from pricing.importers.diff import CatalogDiff, FieldChange, NewModel, PriceChange, compare_prices, diff_catalog
from pricing.importers.genai_prices import genai_prices_to_models
from pricing.importers.litellm import litellm_to_models
from pricing.importers.matching import match_catalog, separator_key
from pricing.importers.records import (
    DATABASE_URLS,
    GENAI_PRICES,
    LITELLM,
    ImportedModel,
    ImportedPrices,
    ImportResult,
    InputError,
    PricePeriod,
    detect_format,
    per_million,
    per_token,
    round_price,
)
from pricing.importers.report import format_diff, format_field_change
from pricing.importers.sources import load_catalog_for_cli, read_price_file
from pricing.importers.vendors import VENDOR_TABLE, VendorMapping, resolve_vendor
from pricing.importers.write import WriteRefused, apply_diff
from pricing.importers.yaml_edit import dump_vendor_document

__all__ = [
    "DATABASE_URLS",
    "GENAI_PRICES",
    "LITELLM",
    "VENDOR_TABLE",
    "CatalogDiff",
    "FieldChange",
    "ImportResult",
    "ImportedModel",
    "ImportedPrices",
    "InputError",
    "NewModel",
    "PriceChange",
    "PricePeriod",
    "VendorMapping",
    "WriteRefused",
    "apply_diff",
    "compare_prices",
    "detect_format",
    "diff_catalog",
    "dump_vendor_document",
    "format_diff",
    "format_field_change",
    "genai_prices_to_models",
    "litellm_to_models",
    "load_catalog_for_cli",
    "match_catalog",
    "per_million",
    "per_token",
    "read_price_file",
    "resolve_vendor",
    "round_price",
    "run_import",
    "separator_key",
]
