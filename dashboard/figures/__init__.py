"""Pure figure builders: data in, a plotly figure or an ECharts option out. No streamlit, no session state;
tested without a page (tests/test_charts.py, tests/test_uncertainty_charts.py).

- ``cost``: the Compare tab's bars and the Cost vs volume figure, and the helpers every builder shares
  (``figure_from``, ``plotly_text``, ``strategy_name``, chart configs);
- ``forecast``: the Forecast tab's monthly and cumulative costs;
- ``breakdown``: the Breakdown tab's stacked parts of the bill.
- ``uncertainty``: the Monte Carlo band, the chance-cheaper curve, the tornado.
- ``usage``: the Your usage tab's history and repriced month.
- ``portfolio``: the Portfolio tab's stacked costs and totals.
- ``serving``: the Serving tab's throughput and latency against concurrency.
"""
