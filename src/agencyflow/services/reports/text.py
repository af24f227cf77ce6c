"""The words of the reports: English message ids, translated through the ``reports``
catalog of :mod:`agencyflow.i18n` (``locale/vi/LC_MESSAGES/reports.po``, context ``report`` so
that short words such as "Total" or "late" do not take another domain's translation).

A report is written in the language it is asked for (``--lang``), not the process's, so
:func:`tr` takes the language. :data:`MESSAGES` marks every id for ``make extract``.
"""

from __future__ import annotations

from agencyflow.i18n import SOURCE_LANGUAGE, translations

CONTEXT = "report"


def pgettext(context: str, message: str) -> str:
    """Mark ``message`` for extraction (Babel reads ``pgettext`` calls); returns it as it is."""
    return message


#: Every message id of the reports.
MESSAGES: tuple[str, ...] = (
    pgettext("report", 'SOCIALIST REPUBLIC OF VIETNAM'),
    pgettext("report", 'Independence - Freedom - Happiness'),
    pgettext("report", 'REPORT'),
    pgettext("report", 'Results of implementing the assigned tasks'),
    pgettext("report", 'No.'),
    pgettext("report", 'Recipients:'),
    pgettext("report", 'Total assignments'),
    pgettext("report", 'Completed'),
    pgettext("report", 'on time'),
    pgettext("report", 'late'),
    pgettext("report", 'Not completed'),
    pgettext("report", 'within the deadline'),
    pgettext("report", 'of which due within 3 working days'),
    pgettext("report", 'overdue'),
    pgettext("report", 'not yet open'),
    pgettext("report", 'Cancelled'),
    pgettext("report", 'Rate'),
    pgettext("report", 'Agency'),
    pgettext("report", 'Commune'),
    pgettext("report", 'Total'),
    pgettext("report", 'Done on time'),
    pgettext("report", 'Done late'),
    pgettext("report", 'In progress'),
    pgettext("report", 'Overdue'),
    pgettext("report", 'Waiting'),
    pgettext("report", 'I. GENERAL RESULTS'),
    pgettext("report", 'II. RESULTS BY LEAD AGENCY'),
    pgettext("report", 'III. OVERDUE ASSIGNMENTS'),
    pgettext("report", 'IV. EXTENSIONS GRANTED'),
    pgettext("report", 'V. TARGETS'),
    pgettext("report", 'APPENDIX: RESULTS BY COMMUNE'),
    pgettext("report", 'Assignment'),
    pgettext("report", 'Lead'),
    pgettext("report", 'Due'),
    pgettext("report", 'Working days late'),
    pgettext("report", 'Original due'),
    pgettext("report", 'New due'),
    pgettext("report", 'Reason'),
    pgettext("report", 'Target'),
    pgettext("report", 'Period'),
    pgettext("report", 'Value'),
    pgettext("report", 'Minimum'),
    pgettext("report", 'Status'),
    pgettext("report", 'met'),
    pgettext("report", 'not_met'),
    pgettext("report", 'in_progress'),
    pgettext("report", 'None.'),
    pgettext("report", 'and {n} more (see the Excel report)'),
    pgettext("report", 'Status of the assignments by lead agency'),
    pgettext("report", 'Targets against their minimum'),
    pgettext("report", 'Other agencies'),
    pgettext("report", 'Figures as of {date}.'),
    pgettext("report", 'Summary'),
    pgettext("report", 'Overdue assignments'),
    pgettext("report", 'Extensions'),
    pgettext("report", 'Targets'),
    pgettext("report", 'By agency'),
    pgettext("report", 'By commune'),
    pgettext("report", 'Figure'),
    pgettext("report", 'Count'),
    pgettext("report", '%'),
    pgettext("report", 'under plan'),
    pgettext("report", 'the assignments due in'),
    pgettext("report", 'all the assignments of the cycle'),
    pgettext("report", 'Scope'),
    pgettext("report", 'Plan'),
    pgettext("report", 'Reported agency'),
    pgettext("report", 'Board'),
    pgettext("report", 'Step'),
    pgettext("report", 'Lead agency'),
    pgettext("report", 'Cooperating'),
    pgettext("report", 'Completed on'),
    pgettext("report", 'Version'),
    pgettext("report", 'Note'),
    pgettext("report", 'Output'),
    pgettext("report", 'Not a valid value for this column'),
    pgettext("report", 'Clauses'),
    pgettext("report", 'Document'),
    pgettext("report", 'Due today'),
    pgettext("report", '{n} working days left'),
    pgettext("report", '{file}: {total} assignments, {done} done, {overdue} overdue'),
    pgettext("report", '{file}: {n} assignments'),
    pgettext("report", '{file}: {n} assignments of {agency}'),
    pgettext("report", '{file}: {n} events'),
    pgettext("report", "{file}: applied {n} rows — {completed} completed, {submitted} "
                       "submitted, {progressed} progress reports; {unchanged} unchanged"),
    pgettext("report", "{file}: would apply {n} rows — {completed} completed, {submitted} "
                       "submitted, {progressed} progress reports; {unchanged} unchanged"),
)


def tr(lang: str, msgid: str, **values: object) -> str:
    """``msgid`` in ``lang`` (Vietnamese unless ``en``), with ``{name}`` values filled in."""
    text = msgid if lang == SOURCE_LANGUAGE else translations(lang).pgettext(CONTEXT, msgid)
    return text.format(**values) if values else text
