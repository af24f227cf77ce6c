"""`agencyflow demo`: the Kim Thành OCOP cycle of one year, simulated in this process.

The demo runs on the configured database (the embedded SQLite of ``AGENCYFLOW_DATA_DIR``), which
must be empty, and never imports Prefect: it calls the services directly.

- :mod:`~agencyflow.demo.sink` — a local webhook sink that records what each agency receives;
- :mod:`~agencyflow.demo.cast` — the people (coordinator, officers, leader, inspector);
- :mod:`~agencyflow.demo.script` — what each agency does with each assignment, deterministic;
- :mod:`~agencyflow.demo.outputs` — the figures agencies report (products with scores …);
- :mod:`~agencyflow.demo.simulation` — the year, working day by working day;
- :mod:`~agencyflow.demo.report` — what was received, the board, the targets, the audit trail.
"""
