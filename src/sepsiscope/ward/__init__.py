"""The ward dashboard: signed-in pages over the monitoring service (``/ward``, alerts, patients).

Server-rendered (Jinja2), updated in place with HTMX, charts with uPlot; every page works
without JavaScript. Sits on top of ``sepsiscope.service`` and adds no clinical rule.
"""
