"""SQL that turns a per-request warehouse table into the generic usage format.

Input table (rename to yours): one row per request with ``ts`` (timestamp), ``model``,
``input_tokens`` (all input, cached included), ``cached_input_tokens`` (cache reads, may be
NULL) and ``output_tokens``. Output: one row per UTC month and model with the generic
columns ``date, model, input_tokens, output_tokens, cached_input_tokens, requests``;
save the result as CSV and upload it (``date`` is the month's first day).
"""

from __future__ import annotations

WAREHOUSE_SQL: dict[str, str] = {
    "bigquery": """\
-- BigQuery: ts is a TIMESTAMP; DATE(ts, "UTC") takes the UTC calendar day.
SELECT
  DATE_TRUNC(DATE(ts, "UTC"), MONTH) AS date,
  model,
  SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens,
  SUM(IFNULL(cached_input_tokens, 0)) AS cached_input_tokens,
  COUNT(*) AS requests
FROM `my_project.my_dataset.llm_requests`
GROUP BY date, model
ORDER BY date, model
""",
    "snowflake": """\
-- Snowflake: ts is TIMESTAMP_TZ or TIMESTAMP_LTZ; for a TIMESTAMP_NTZ column that already
-- holds UTC, replace CONVERT_TIMEZONE('UTC', ts) with ts.
SELECT
  DATE_TRUNC('MONTH', CONVERT_TIMEZONE('UTC', ts))::DATE AS date,
  model,
  SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens,
  SUM(COALESCE(cached_input_tokens, 0)) AS cached_input_tokens,
  COUNT(*) AS requests
FROM my_db.my_schema.llm_requests
GROUP BY 1, 2
ORDER BY 1, 2
""",
    "spark": """\
-- Spark SQL: date_trunc uses the session time zone; run SET spark.sql.session.timeZone = UTC first.
SELECT
  CAST(date_trunc('MONTH', ts) AS DATE) AS date,
  model,
  SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens,
  SUM(COALESCE(cached_input_tokens, 0)) AS cached_input_tokens,
  COUNT(*) AS requests
FROM llm_requests
GROUP BY 1, 2
ORDER BY 1, 2
""",
}
