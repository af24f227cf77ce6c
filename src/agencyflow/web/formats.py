"""How pages write dates, times and numbers: the shared :mod:`agencyflow.formats`."""

from __future__ import annotations

from agencyflow.formats import as_date, ddmmyyyy, ddmmyyyy_hhmm, number

__all__ = ["as_date", "ddmmyyyy", "ddmmyyyy_hhmm", "number"]
