"""Pure figure builders: data in, a plotly figure or an ECharts option out. No streamlit, no session state;
tested without a page (tests/test_charts.py, tests/test_uncertainty_charts.py).

- ``cost``: the cost tabs (comparison, cost vs volume, forecast, breakdown) and the usage history.
- ``uncertainty``: the Monte Carlo band, the chance-cheaper curve, the tornado.
- ``usage``: the Your usage tab's history and repriced month.
- ``portfolio``: the Portfolio tab's stacked costs and totals.
- ``serving``: the Serving tab's throughput and latency against concurrency.
"""
