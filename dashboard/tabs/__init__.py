"""The result tabs, one module per tab, in the page's order (app.py's ``renderers`` table):

- ``compare``: the strategies side by side this month, and the quality-adjusted cost;
- ``volume``: cost against monthly volume, with the break-even points;
- ``forecast``: month by month and cumulative over the horizon, with dated price changes;
- ``uncertainty``: the Monte Carlo band, the chance that self-hosting wins, the tornado;
- ``breakdown``: where each strategy's money goes;
- ``serving``: the self-hosted replica under the capacity model, the cheapest hardware, the fleet's month;
- ``table``: the forecast as a table and its CSV;
- the usage and portfolio tabs live in ``dashboard.usage_view`` and ``dashboard.portfolio_view``.

Each module draws with streamlit; its numbers come from the engine's ``Evaluation`` (through
``dashboard.cache``) and its figures from the pure builders in ``dashboard.figures``. Helpers two tabs
share are in ``common``.
"""
