"""Reports and exports: the progress report (docx, xlsx, html, md), the board in Excel, the
progress sheet an agency fills in and its import, the per-agency calendar, the monthly report.

Every figure comes from the board service (:mod:`agencyflow.services.board.listing`) on the report's
day; nothing here re-derives a status. Modules:

- :mod:`~agencyflow.services.reports.period` — the period (year, quarter, month);
- :mod:`~agencyflow.services.reports.data` — the figures (:func:`~.data.build`);
- :mod:`~agencyflow.services.reports.render` — the report in each format;
- :mod:`~agencyflow.services.reports.board_xlsx` — ``export board --format xlsx``;
- :mod:`~agencyflow.services.reports.progress_sheet` / :mod:`~.progress_import` — the sheet to
  fill in and its import through the assignment use cases;
- :mod:`~agencyflow.services.reports.ical` — the calendar of an agency;
- :mod:`~agencyflow.services.reports.monthly` — the monthly report to the leader.
"""
