"""The board: assignments with their official status on a day, pages of it, "as of" reads,
targets."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "BoardCache": ("page", "BoardCache"),
    "BoardCycle": ("listing", "BoardCycle"),
    "BoardFilter": ("listing", "BoardFilter"),
    "Cursor": ("page", "Cursor"),
    "KEYSET_DEFAULT_LIMIT": ("pages", "DEFAULT_LIMIT"),
    "KEYSET_MAX_LIMIT": ("pages", "MAX_LIMIT"),
    "KeysetCursor": ("pages", "Cursor"),
    "agencies": ("page", "agencies"),
    "agency_names": ("listing", "agency_names"),
    "board": ("listing", "board"),
    "counts": ("listing", "counts"),
    "cycle_by_id": ("pages", "cycle_by_id"),
    "cycle_for": ("listing", "cycle_for"),
    "group_members": ("members", "members"),
    "keyset_page": ("pages", "page"),
    "known_at": ("page", "known_at"),
    "menu": ("page", "menu"),
    "my_work": ("page", "my_work"),
    "resolve_filter": ("listing", "resolve_filter"),
    "rows": ("listing", "rows"),
    "rows_page": ("page", "page"),
    "stream_rows": ("listing", "stream_rows"),
    "targets_report": ("targets", "report"),
}
__all__ = [
    "BoardCache",
    "BoardCycle",
    "BoardFilter",
    "Cursor",
    "KEYSET_DEFAULT_LIMIT",
    "KEYSET_MAX_LIMIT",
    "KeysetCursor",
    "agencies",
    "agency_names",
    "board",
    "counts",
    "cycle_by_id",
    "cycle_for",
    "group_members",
    "keyset_page",
    "known_at",
    "menu",
    "my_work",
    "resolve_filter",
    "rows",
    "rows_page",
    "stream_rows",
    "targets_report",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.board.listing import (
        BoardCycle as BoardCycle,
    )
    from agencyflow.services.board.listing import (
        BoardFilter as BoardFilter,
    )
    from agencyflow.services.board.listing import (
        agency_names as agency_names,
    )
    from agencyflow.services.board.listing import (
        board as board,
    )
    from agencyflow.services.board.listing import (
        counts as counts,
    )
    from agencyflow.services.board.listing import (
        cycle_for as cycle_for,
    )
    from agencyflow.services.board.listing import (
        resolve_filter as resolve_filter,
    )
    from agencyflow.services.board.listing import (
        rows as rows,
    )
    from agencyflow.services.board.listing import (
        stream_rows as stream_rows,
    )
    from agencyflow.services.board.members import (
        members as group_members,
    )
    from agencyflow.services.board.page import (
        BoardCache as BoardCache,
    )
    from agencyflow.services.board.page import (
        Cursor as Cursor,
    )
    from agencyflow.services.board.page import (
        agencies as agencies,
    )
    from agencyflow.services.board.page import (
        known_at as known_at,
    )
    from agencyflow.services.board.page import (
        menu as menu,
    )
    from agencyflow.services.board.page import (
        my_work as my_work,
    )
    from agencyflow.services.board.page import (
        page as rows_page,
    )
    from agencyflow.services.board.pages import (
        DEFAULT_LIMIT as KEYSET_DEFAULT_LIMIT,
    )
    from agencyflow.services.board.pages import (
        MAX_LIMIT as KEYSET_MAX_LIMIT,
    )
    from agencyflow.services.board.pages import (
        Cursor as KeysetCursor,
    )
    from agencyflow.services.board.pages import (
        cycle_by_id as cycle_by_id,
    )
    from agencyflow.services.board.pages import (
        page as keyset_page,
    )
    from agencyflow.services.board.targets import (
        report as targets_report,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
