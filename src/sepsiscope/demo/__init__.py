"""``sepsiscope demo``: the live ward (``live``: the service fed by the replayed synthetic ward,
the dashboard on top) and the terminal's ranked ward table (``table``, ``--table``)."""

from sepsiscope.demo.table import run_demo

__all__ = ["run_demo"]
