"""The one gettext mechanism of agencyflow: the CLI, the web pages, the API, the reports and the
messages all translate through it.

Message ids are English; Vietnamese is the default language; English is available::

    from agencyflow.i18n import _, ngettext, N_

    _("Assignment {id} does not exist").format(id=12)
    ngettext("{n} target", "{n} targets", n).format(n=n)
    HEADERS = (N_("due"), N_("status"))   # marked at import time, translated with _() when shown

**Which language.** :func:`current_language` is the language of the running context: the one
set with :func:`set_language` or the :func:`language` context manager (a
:class:`~contextvars.ContextVar`, so each web request or thread can have its own), else
``AGENCYFLOW_LANGUAGE``, else Vietnamese.
:func:`resolve_language` turns what a person typed into a language code: it is case-insensitive and
accepts a region (``EN``, ``en_US``, ``vi-VN`` → ``en``/``vi``); anything else (``fr``) is a
:class:`~agencyflow.errors.ConfigError` naming the languages there are. Services read the language
from the context, so an exception message translated at raise time with ``_()`` is already in the
language of the command or request that caused it.

**Catalogs.** ``locale/<lang>/LC_MESSAGES/<domain>.po``, one domain per area so that the people
working on different areas never edit the same file: :data:`DOMAINS` (``cli``, ``errors``, ``web``,
``api``, ``reports``, ``messages``) in this order of precedence, then any other ``.po`` file found
there (so adding a domain is adding its file, plus its source folders in the Makefile's
``I18N_SOURCES_<domain>``). All domains of a language are chained: ``_()`` finds a message in any
of them. English needs no catalog (the ids are the English text); an ``en`` catalog, if present,
overrides wording.

**Compiled files.** ``make compile`` (run by ``make`` on install) writes a ``.mo`` beside each
``.po``; they are not committed. When a ``.mo`` is missing or older than its ``.po`` (a fresh
clone, a wheel, a ``git pull``), the ``.po`` is read directly by :func:`read_po` — stdlib only,
about a millisecond per hundred messages — so the text shown is always the text of the ``.po``.
Fuzzy entries are skipped, as ``pybabel compile`` skips them.

Importing this module costs only :mod:`gettext` (no Babel); catalogs load on first use.
"""

from __future__ import annotations

import ast
import gettext
import io
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import lru_cache
from pathlib import Path

#: The languages agencyflow speaks, the default first.
LANGUAGES: tuple[str, ...] = ("vi", "en")

#: The default language (when nothing else is set).
DEFAULT_LANGUAGE = "vi"

#: The language message ids are written in: it needs no catalog.
SOURCE_LANGUAGE = "en"

#: The catalog domains, in order of precedence (a message found in an earlier one wins). Other
#: ``.po`` files in a language's folder are chained after these, in name order.
DOMAINS: tuple[str, ...] = ("cli", "errors", "web", "api", "reports", "messages")

#: Where the catalogs are: ``LOCALE_DIR / <lang> / "LC_MESSAGES" / "<domain>.po"``.
LOCALE_DIR = Path(__file__).parent / "locale"

#: The environment variable that sets the process's language.
ENV_VARIABLE = "AGENCYFLOW_LANGUAGE"

_current: ContextVar[str | None] = ContextVar("agencyflow_language", default=None)


def resolve_language(value: str | None) -> str:
    """The language code for what a person typed: ``vi``, ``EN``, ``en_US``, ``vi-VN`` → ``vi`` /
    ``en``; None or empty → the default language. Anything else is a ConfigError."""
    if value is None or not value.strip():
        return DEFAULT_LANGUAGE
    code = value.strip().replace("-", "_").split("_", 1)[0].lower()
    if code in LANGUAGES:
        return code
    from agencyflow.errors import ConfigError

    raise ConfigError(_("unknown language \"{value}\": use one of {languages}").format(
        value=value, languages=", ".join(LANGUAGES)))


def _environment_language() -> str:
    """``AGENCYFLOW_LANGUAGE`` when it names a language, else the default (Settings reports a
    bad value; translating must never fail because of it)."""
    try:
        return resolve_language(os.environ.get(ENV_VARIABLE))
    except Exception:  # noqa: BLE001 - ConfigError; Settings validation names the variable
        return DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of the running context (see the module docstring)."""
    return _current.get() or _environment_language()


def set_language(lang: str | None) -> Token[str | None]:
    """Set the language of the running context (``lang`` as :func:`resolve_language` reads it;
    None: back to the environment/default). Returns the token for ``reset_language``."""
    return _current.set(None if lang is None else resolve_language(lang))


def reset_language(token: Token[str | None]) -> None:
    """Undo a :func:`set_language`."""
    _current.reset(token)


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """``with language("en"): ...`` — the block runs in that language; yields the code."""
    token = set_language(lang)
    try:
        yield current_language()
    finally:
        _current.reset(token)


def domains(lang: str) -> tuple[str, ...]:
    """The domains with a catalog for ``lang``, in order of precedence."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    try:
        found = {p.stem for p in folder.iterdir() if p.suffix == ".po"}
    except OSError:
        return ()
    return tuple(d for d in DOMAINS if d in found) + tuple(sorted(found - set(DOMAINS)))


@lru_cache(maxsize=len(LANGUAGES) + 2)
def translations(lang: str) -> gettext.NullTranslations:
    """Every domain's catalog of ``lang`` chained in order (English ids as the last fallback)."""
    chain: gettext.NullTranslations | None = None
    for domain in domains(lang):
        catalog = _load(LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po")
        if chain is None:
            chain = catalog
        else:
            chain.add_fallback(catalog)
    return chain if chain is not None else gettext.NullTranslations()


def _load(po: Path) -> gettext.GNUTranslations:
    """The compiled catalog beside ``po`` if it is at least as new, else ``po`` read directly."""
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime >= po.stat().st_mtime:
            with mo.open("rb") as fp:
                return gettext.GNUTranslations(fp)
    except OSError:
        pass
    return gettext.GNUTranslations(io.BytesIO(compile_po(po.read_text(encoding="utf-8"))))


def _(message: str) -> str:
    """``message`` (an English id) in the current language."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language (Vietnamese has one form)."""
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context`` (the same English word meaning different things)."""
    return translations(current_language()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """:func:`ngettext` within a context."""
    return translations(current_language()).npgettext(context, singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction without translating it now (translate it with ``_()``
    when it is shown)."""
    return message


# -- .po files without Babel ------------------------------------------------------------------

Entry = tuple[str | None, str, str | None, list[str]]  # context, id, plural id, translations


def read_po(text: str) -> list[Entry]:
    """The translated, non-fuzzy entries of a ``.po`` file (the header included), in order.

    Enough of the format for catalogs written by Babel: ``msgctxt``, ``msgid``, ``msgid_plural``,
    ``msgstr``/``msgstr[n]``, strings continued on following lines, ``#, fuzzy`` flags, comments
    and obsolete ``#~`` entries (skipped).
    """
    entries: list[Entry] = []
    fields: dict[str, list[str]] = {}
    key: str | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal fuzzy, key
        msgid = "".join(fields.get("msgid", ()))
        if "msgid" in fields and (not fuzzy or msgid == ""):  # a fuzzy header is still the header
            forms = sorted((k for k in fields if k.startswith("msgstr")),
                           key=lambda k: int(k[7:-1]) if "[" in k else 0)
            strings = ["".join(fields[k]) for k in forms]
            if (strings and all(strings)) or msgid == "":
                plural = "".join(fields["msgid_plural"]) if "msgid_plural" in fields else None
                context = "".join(fields["msgctxt"]) if "msgctxt" in fields else None
                entries.append((context, msgid, plural, strings))
        fields.clear()
        key = None
        fuzzy = False

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if "msgid" in fields:
                    flush()
                fuzzy = True
            continue
        if line.startswith('"'):
            if key is not None:
                fields[key].append(_unquote(line))
            continue
        word, _sep, rest = line.partition(" ")
        if word in ("msgctxt", "msgid") and key is not None and key.startswith("msgstr"):
            flush()
        key = word
        fields[key] = [_unquote(rest.strip())]
    flush()
    return entries


def _unquote(quoted: str) -> str:
    """A C string of a .po file (``"..."`` with ``\\n``, ``\\"``, ``\\\\`` …) as text."""
    if "\\" not in quoted:
        return quoted[1:-1]
    return str(ast.literal_eval(quoted))


def compile_po(text: str) -> bytes:
    """The ``.mo`` bytes (GNU format, as ``msgfmt`` writes it) of a ``.po`` file's text."""
    pairs: dict[bytes, bytes] = {}
    for context, msgid, plural, strings in read_po(text):
        key = msgid if plural is None else msgid + "\0" + plural
        if context is not None:
            key = context + "\x04" + key
        pairs[key.encode("utf-8")] = "\0".join(strings).encode("utf-8")
    keys = sorted(pairs)
    ids = b"".join(k + b"\0" for k in keys)
    strs = b"".join(pairs[k] + b"\0" for k in keys)
    start = 7 * 4 + 16 * len(keys)
    offsets: list[int] = []
    position = 0
    for k in keys:
        offsets += [len(k), start + position]
        position += len(k) + 1
    position = 0
    for k in keys:
        offsets += [len(pairs[k]), start + len(ids) + position]
        position += len(pairs[k]) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    table = struct.pack(f"{len(offsets)}i", *offsets)
    return header + table + ids + strs
