"""Pure figure builders: data in, a plotly figure or an ECharts option out. No streamlit, no session state;
tested without a page (tests/test_charts.py, tests/test_uncertainty_charts.py).

- ``cost``: the cost tabs (comparison, cost vs volume, forecast, breakdown) and the usage history.
- ``uncertainty``: the Monte Carlo band, the chance-cheaper curve, the tornado.
- ``portfolio``: the Portfolio tab's stacked costs and totals.
"""
