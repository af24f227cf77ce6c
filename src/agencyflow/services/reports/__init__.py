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

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "CRON": ("monthly", "CRON"),
    "FORMATS": ("render", "FORMATS"),
    "agencies_for": ("feeds", "agencies_for"),
    "agency_calendar": ("ical", "agency_calendar"),
    "calendar_of": ("feeds", "calendar_of"),
    "create": ("feeds", "create"),
    "download": ("produce", "download"),
    "import_progress": ("progress_import", "import_progress"),
    "is_first_working_day": ("monthly", "is_first_working_day"),
    "listing": ("feeds", "listing"),
    "make_report": ("produce", "make"),
    "parse_period": ("period", "parse"),
    "parse_text": ("period", "parse_text"),
    "periods": ("monthly", "periods"),
    "queue_monthly": ("monthly", "queue_monthly"),
    "revoke": ("feeds", "revoke"),
    "rows_for": ("progress_sheet", "rows_for"),
    "tr": ("text", "tr"),
    "url_of": ("feeds", "url_of"),
    "write_board_xlsx": ("board_xlsx", "write"),
    "write_demo_files": ("demo_files", "write"),
    "write_progress_sheet": ("progress_sheet", "write"),
}
__all__ = [
    "CRON",
    "FORMATS",
    "agencies_for",
    "agency_calendar",
    "calendar_of",
    "create",
    "download",
    "import_progress",
    "is_first_working_day",
    "listing",
    "make_report",
    "parse_period",
    "parse_text",
    "periods",
    "queue_monthly",
    "revoke",
    "rows_for",
    "tr",
    "url_of",
    "write_board_xlsx",
    "write_demo_files",
    "write_progress_sheet",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.reports.board_xlsx import (
        write as write_board_xlsx,
    )
    from agencyflow.services.reports.demo_files import (
        write as write_demo_files,
    )
    from agencyflow.services.reports.feeds import (
        agencies_for as agencies_for,
    )
    from agencyflow.services.reports.feeds import (
        calendar_of as calendar_of,
    )
    from agencyflow.services.reports.feeds import (
        create as create,
    )
    from agencyflow.services.reports.feeds import (
        listing as listing,
    )
    from agencyflow.services.reports.feeds import (
        revoke as revoke,
    )
    from agencyflow.services.reports.feeds import (
        url_of as url_of,
    )
    from agencyflow.services.reports.ical import (
        agency_calendar as agency_calendar,
    )
    from agencyflow.services.reports.monthly import (
        CRON as CRON,
    )
    from agencyflow.services.reports.monthly import (
        is_first_working_day as is_first_working_day,
    )
    from agencyflow.services.reports.monthly import (
        periods as periods,
    )
    from agencyflow.services.reports.monthly import (
        queue_monthly as queue_monthly,
    )
    from agencyflow.services.reports.period import (
        parse as parse_period,
    )
    from agencyflow.services.reports.period import (
        parse_text as parse_text,
    )
    from agencyflow.services.reports.produce import (
        download as download,
    )
    from agencyflow.services.reports.produce import (
        make as make_report,
    )
    from agencyflow.services.reports.progress_import import (
        import_progress as import_progress,
    )
    from agencyflow.services.reports.progress_sheet import (
        rows_for as rows_for,
    )
    from agencyflow.services.reports.progress_sheet import (
        write as write_progress_sheet,
    )
    from agencyflow.services.reports.render import (
        FORMATS as FORMATS,
    )
    from agencyflow.services.reports.text import (
        tr as tr,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
