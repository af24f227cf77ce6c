"""Render a report in one of its formats: ``docx`` (the administrative document), ``xlsx``,
``html`` or ``md``. Every format is written from the same :class:`ReportData`; the documents
from the same context (:mod:`agencyflow.services.reports.context`).
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.errors import ValidationError
from agencyflow.services.reports import chart, context
from agencyflow.services.reports.context import Letterhead
from agencyflow.services.reports.data import ReportData

FORMATS = ("docx", "xlsx", "html", "md")
_PLACE = re.compile(r"^(ủy ban nhân dân|ubnd)\s+(huyện|xã|thị trấn|tỉnh|thành phố|quận|"
                    r"thị xã|phường)\s+", re.IGNORECASE)


def letterhead(spec: PlanSpec, *, lang: str = "vi", place: str | None = None,
               superior: str | None = None, symbol: str | None = None,
               signer: str | None = None, signer_title: str | None = None,
               recipients: list[str] | None = None) -> Letterhead:
    """The issuing body is the plan's leader agency; the place is the settings' or, by default,
    the leader's name without "Ủy ban nhân dân huyện" (Kim Thành)."""
    issuer = spec.agency(spec.leader).name.get(lang)
    where = place or _PLACE.sub("", spec.agency(spec.leader).name.vi).strip()
    default_recipients = (["- As above;", f"- Archive: office, {spec.coordinator}."]
                          if lang == "en" else
                          ["- Như trên;", "- Các cơ quan chủ trì;",
                           f"- Lưu: VT, {spec.coordinator}."])
    default_title = "ON BEHALF OF THE CHAIRMAN\nVICE-CHAIRMAN" if lang == "en" else \
        "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    return Letterhead(superior=superior, issuer=issuer, place=where,
                      symbol=symbol or "BC-UBND", signer_title=signer_title or default_title,
                      signer=signer or "", recipients=recipients or default_recipients)


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=PackageLoader("agencyflow.services.reports", "templates"),
                      undefined=StrictUndefined, autoescape=select_autoescape(("html.j2",)),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    return env


def render(data: ReportData, fmt: str, head: Letterhead, *,
           template: Path | None = None) -> bytes:
    """The report as the bytes of a ``fmt`` file (``template``: a site's Word template)."""
    if fmt not in FORMATS:
        raise ValidationError(f"unknown report format {fmt!r} (one of: {', '.join(FORMATS)})")
    if fmt == "xlsx":
        from agencyflow.services.reports import xlsx_report

        return xlsx_report.write(data, head)
    if fmt == "docx":
        from agencyflow.services.reports import docx_report

        return docx_report.write(data, head, template=template)
    ctx = context.build(data, head)
    if fmt == "html":
        ctx["chart"] = base64.b64encode(chart.png(data)).decode()
        return _env().get_template("report.html.j2").render(ctx).encode()
    return _env().get_template("report.md.j2").render(ctx).encode()
