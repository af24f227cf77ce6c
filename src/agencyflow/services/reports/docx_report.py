"""The report as a Word document: the packaged docxtpl template (or a site's) rendered with the
report's context (:mod:`agencyflow.services.reports.context`) and its chart.

Why docxtpl: the layout of an administrative document belongs to the office, not to the code. A
docxtpl template is an ordinary .docx that a clerk edits in Word (letterhead, spacing, wording,
the recipients) while the ``{{ … }}`` tags keep the figures coming from the board; python-docx
alone would put every paragraph of the layout in Python. The packaged template is itself built
with python-docx (:mod:`agencyflow.services.reports.docx_template`), so its layout is reviewable.
Values are XML-escaped (``autoescape=True``): a title with ``<`` or ``&`` stays text.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from agencyflow.errors import ConfigError
from agencyflow.services.reports import chart, context
from agencyflow.services.reports.context import Letterhead
from agencyflow.services.reports.data import ReportData
from agencyflow.services.reports.docx_template import PATH as PACKAGED


def write(data: ReportData, head: Letterhead, *, template: Path | None = None) -> bytes:
    """The .docx bytes of the report (``template``: a site's replacement of the packaged one)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    source = template or PACKAGED
    if not source.is_file() or not zipfile.is_zipfile(source):
        raise ConfigError(f"{source}: the report template is not a Word (.docx) file "
                          "(AGENCYFLOW_REPORT_TEMPLATE)")
    doc = DocxTemplate(str(source))
    ctx = context.build(data, head)
    ctx["chart"] = InlineImage(doc, io.BytesIO(chart.png(data)), width=Mm(150))
    try:
        doc.render(ctx, autoescape=True)
    except Exception as exc:  # a site's template with a broken tag
        if template is None:
            raise
        raise ConfigError(f"{source}: the report template does not render: "
                          f"{type(exc).__name__}: {exc}") from None
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
