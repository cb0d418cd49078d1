"""Usage-export importer: turn a vendor's usage or cost export into monthly totals per model.

Public API
----------
``FORMATS`` / ``detect_format``   the supported exports and header detection;
``import_usage``                  file (CSV, or Parquet) → ``UsageImport`` (monthly totals, skipped rows, notes);
``merge_imports``                 several imports (a month per file) → one, folded in one at a time;
``list_price_history``            monthly list-price cost next to the export's own cost;
``workload_from_usage``           the workload month, priced workload, routes, growth fit (``history``);
``feature_workloads``             the same per feature of the export, and a portfolio of them (``features``);
``usage_report`` / ``repriced``   what the page and the CLI both print (``report``);
``WAREHOUSE_SQL``                 BigQuery / Snowflake / Spark SQL producing the generic format;
``run_usage_cli``                 body of ``python -m calculators usage FILE... [--format F] [--scenario S] [--json]``.

Modules, one step each: ``source`` (the input file), ``encoding``, ``reader`` (sniffing, segments), ``columns``,
``cells`` (numbers and times), ``normalize`` (row checks and sums), ``importer``, ``merge``, ``list_price``,
``history`` (workload and growth), ``features``, ``report``, ``cli``.

The generic format
------------------
For usage kept anywhere else (a warehouse, a gateway's own logs), write a CSV with the
header ``date,model,input_tokens,output_tokens`` and optionally ``cached_input_tokens``,
``requests`` and ``cost_usd`` (any order, case-insensitive; ``month`` may replace ``date``):

=====================  ====================================================================
``date``               ``YYYY-MM-DD``, ``YYYY-MM``, ISO 8601 with or without offset, or epoch
                       seconds; zone-less values are UTC; the row counts in its UTC month
``model``              the model id as the provider or gateway names it
``input_tokens``       ALL input tokens, cache reads and cache writes included
``output_tokens``      output tokens, reasoning included
``cached_input_tokens``  the part of ``input_tokens`` read from the cache (default 0)
``requests``           number of requests in the row (absent → requests unknown)
``cost_usd``           what the row cost, in US dollars (absent → unknown)
``feature``            what the row was for (a product feature, team or app), optional:
                       ``calculators.usage.features`` makes one workload of each
=====================  ====================================================================

Rows may be per request, per day or per month; they are summed. Example::

    date,model,input_tokens,output_tokens,cached_input_tokens,requests,cost_usd
    2026-01-01,gpt-5,1000000,100000,200000,1000,2.25

Upload size
-----------
``MAX_UPLOAD_MB = 200`` is also Streamlit's default ``server.maxUploadSize``. Bucketed
exports (OpenAI, Anthropic, LiteLLM daily, OpenRouter grouped) are kilobytes to a few
megabytes even for a year; only per-request exports get big: a 1M-generation OpenRouter
export is about 200 MB and imports in about half a second. The importer works in 16 MB
segments, so its own peak memory stays near 200 MB whatever the file size, but Streamlit
keeps each uploaded file in memory for the session. 200 MB thus admits roughly a million
requests per upload while bounding memory per session on a small server; larger histories
belong in the warehouse (``WAREHOUSE_SQL`` reduces them to a few kilobytes) or in the CLI,
which reads files of any size from disk.
"""

from calculators.usage.cli import run_usage_cli
from calculators.usage.formats import FORMATS, detect_format
from calculators.usage.history import full_months, workload_from_usage
from calculators.usage.importer import MAX_UPLOAD_MB, MONTHLY_COLUMNS, UsageImport, import_usage
from calculators.usage.list_price import DIFFERENCE_THRESHOLD_PCT, list_price_history
from calculators.usage.merge import merge_imports
from calculators.usage.reader import UsageImportError
from calculators.usage.warehouse import WAREHOUSE_SQL

__all__ = [
    "DIFFERENCE_THRESHOLD_PCT",
    "FORMATS",
    "MAX_UPLOAD_MB",
    "MONTHLY_COLUMNS",
    "WAREHOUSE_SQL",
    "UsageImport",
    "UsageImportError",
    "detect_format",
    "full_months",
    "import_usage",
    "list_price_history",
    "merge_imports",
    "run_usage_cli",
    "workload_from_usage",
]
