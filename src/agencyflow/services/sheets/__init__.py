"""Sheets: reading what people hand in as spreadsheets, for every capability that imports one
(the progress sheet of :mod:`~agencyflow.services.reports`, the product import of
:mod:`~agencyflow.services.products`). Pure reading: no database.

- :mod:`.workbooks`: ``open_workbook``, a .xlsx checked before openpyxl opens it (size, zip,
  unpacked size: a zip bomb is refused);
- :mod:`.values`: one cell as a number, a date, yes/no or text, the Vietnamese way.
"""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "BadValue": ("values", "BadValue"),
    "blank": ("values", "blank"),
    "day": ("values", "day"),
    "number": ("values", "number"),
    "open_workbook": ("workbooks", "open_workbook"),
    "text": ("values", "text"),
    "yes_no": ("values", "yes_no"),
}
__all__ = [
    "BadValue",
    "blank",
    "day",
    "number",
    "open_workbook",
    "text",
    "yes_no",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.sheets.values import (
        BadValue as BadValue,
    )
    from agencyflow.services.sheets.values import (
        blank as blank,
    )
    from agencyflow.services.sheets.values import (
        day as day,
    )
    from agencyflow.services.sheets.values import (
        number as number,
    )
    from agencyflow.services.sheets.values import (
        text as text,
    )
    from agencyflow.services.sheets.values import (
        yes_no as yes_no,
    )
    from agencyflow.services.sheets.workbooks import (
        open_workbook as open_workbook,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
