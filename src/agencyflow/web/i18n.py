"""The pages' language: Vietnamese by default, English by a switch; catalog domain ``web``.

Message ids are English. The Vietnamese catalog is ``agencyflow/locale/vi/LC_MESSAGES/web.po``
(compiled ``web.mo`` beside it when present, else the ``.po`` is read with Babel once per
process). Templates use ``{{ _("…") }}`` / ``{% trans %}`` through ``jinja2.ext.i18n``.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from importlib import resources

#: Languages of the pages; the first is the default.
LANGUAGES = ("vi", "en")
DOMAIN = "web"


@lru_cache(maxsize=4)
def translations(lang: str) -> gettext.NullTranslations:
    """The ``web`` catalog of ``lang`` (English: the message ids themselves)."""
    if lang not in LANGUAGES or lang == "en":
        return gettext.NullTranslations()
    folder = resources.files("agencyflow") / "locale" / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file():
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    if not po.is_file():
        return gettext.NullTranslations()
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def pick(requested: str | None, default: str) -> str:
    """The language to use: ``requested`` (the switch's cookie) when valid, else ``default``."""
    if requested in LANGUAGES:
        return requested
    return default if default in LANGUAGES else LANGUAGES[0]
