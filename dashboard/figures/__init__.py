"""Pure figure builders: data in, an ECharts option and its height out. No streamlit, no session state;
tested without a page (tests/test_charts.py, tests/test_uncertainty_charts.py).

- ``cost``: the Compare tab's bars and the Cost vs volume figure, and the helpers every builder shares
  (``strategy_name``, ``mark_equal_lines``, ``slug``); ``echarts``: the frame, axes and marks every figure uses;
- ``forecast``: the Forecast tab's monthly and cumulative costs;
- ``breakdown``: the Breakdown tab's stacked parts of the bill.
- ``uncertainty``: the Monte Carlo band, the chance-cheaper curve, the tornado.
- ``usage``: the Your usage tab's history and repriced month.
- ``portfolio``: the Portfolio tab's stacked costs and totals.
- ``serving``: the Serving tab's throughput and latency against concurrency.
"""
