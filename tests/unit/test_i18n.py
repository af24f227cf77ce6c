"""The one gettext mechanism (:mod:`agencyflow.i18n`) and its catalogs.

The catalogs are checked with Babel (an independent reader of .po files): every message has a
Vietnamese translation with the same placeholders, and every message the code marks is in a
catalog (``make update`` adds new ones; then translate them).
"""

from __future__ import annotations

import contextvars
import gettext
import io
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from agencyflow import i18n
from agencyflow.errors import ConfigError

pytestmark = pytest.mark.vietnamese  # the default language is what these tests read

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "agencyflow"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _catalogs() -> list[Path]:
    return sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def _read(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as fp:
        return read_po(fp, locale=path.parts[-3])


def test_every_declared_domain_has_a_vietnamese_catalog() -> None:
    assert set(i18n.DOMAINS) <= set(i18n.domains("vi"))
    assert i18n.domains("vi")[: len(i18n.DOMAINS)] == i18n.DOMAINS


@pytest.mark.parametrize("po", _catalogs(), ids=lambda p: f"{p.parts[-3]}/{p.stem}")
def test_every_message_is_translated_with_its_placeholders(po: Path) -> None:
    catalog = _read(po)
    assert catalog.plural_forms == "nplurals=1; plural=0;" or po.parts[-3] != "vi"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated{' (fuzzy)' if message.fuzzy else ''}: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} → {text!r}")
    assert problems == []


def test_every_marked_message_in_the_code_is_in_a_catalog() -> None:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    known: set[str] = set()
    for po in i18n.LOCALE_DIR.glob("vi/LC_MESSAGES/*.po"):
        known |= {m.id if isinstance(m.id, str) else m.id[0] for m in _read(po) if m.id}
    found = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
            SRC, method_map, options_map):
        msgid = message if isinstance(message, str) else message[0]
        found[msgid] = filename
    assert "unknown language \"{value}\": use one of {languages}" in found  # the scan works
    missing = {m: f for m, f in found.items() if m not in known}
    assert missing == {}, "run `make update` and translate the new messages"


def test_every_help_text_of_the_cli_is_in_the_help_catalog() -> None:
    """Docstrings and ``help=`` texts, found by the help domain's extractor
    (``babel-help.cfg``), each paragraph translated in ``help.po``."""
    with (ROOT / "babel-help.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    known = {m.id for m in _read(i18n.LOCALE_DIR / "vi" / "LC_MESSAGES" / "help.po") if m.id}
    found = {message: filename for filename, _line, message, _comments, _context
             in extract_from_dir(SRC / "cli", method_map, options_map)}
    assert "Show and act on assignments: start, report, complete, extend, reassign." in found
    assert "Example: agencyflow board --agency KTHT --now 2027-03-15" in found  # a paragraph
    missing = {m: f for m, f in found.items() if m not in known}
    assert missing == {}, "run `make update` and translate the new help texts in help.po"


def test_vietnamese_is_the_default_and_english_is_the_message_id(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(i18n.ENV_VARIABLE, raising=False)
    message = "unknown language \"{value}\": use one of {languages}"
    assert i18n.current_language() == "vi"
    assert i18n._(message).startswith("ngôn ngữ")
    with i18n.language("en") as lang:
        assert lang == "en"
        assert i18n._(message) == message
    assert i18n._(message).startswith("ngôn ngữ")
    monkeypatch.setenv(i18n.ENV_VARIABLE, "en")
    assert i18n.current_language() == "en"
    assert i18n._(message) == message


@pytest.mark.parametrize(("typed", "code"), [
    ("vi", "vi"), ("EN", "en"), (" En ", "en"), ("en_US", "en"), ("vi-VN", "vi"), (None, "vi"),
    ("", "vi"),
])
def test_resolve_language_accepts_case_and_region(typed: str | None, code: str) -> None:
    assert i18n.resolve_language(typed) == code


@pytest.mark.parametrize("typed", ["fr", "vie", "english", "zh_VN"])
def test_an_unknown_language_is_an_error_naming_the_languages(typed: str) -> None:
    with i18n.language("en"), pytest.raises(ConfigError) as raised:
        i18n.resolve_language(typed)
    assert str(raised.value) == f'unknown language "{typed}": use one of vi, en'
    with i18n.language("vi"), pytest.raises(ConfigError) as raised:
        i18n.resolve_language(typed)
    assert str(raised.value).startswith(f'ngôn ngữ "{typed}" không được hỗ trợ')


def test_each_context_and_thread_has_its_own_language() -> None:
    seen: dict[str, str] = {}

    def in_english() -> None:
        i18n.set_language("en")
        seen["thread"] = i18n.current_language()

    with i18n.language("vi"):
        worker = threading.Thread(target=in_english)
        worker.start()
        worker.join()
        contextvars.copy_context().run(in_english)
        assert i18n.current_language() == "vi"
    assert seen["thread"] == "en"


PO_TEXT = r'''# a test catalog
msgid ""
msgstr ""
"Language: vi\n"
"Content-Type: text/plain; charset=utf-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

msgid "due"
msgstr "hạn"

#, python-brace-format
msgid "{n} target"
msgid_plural "{n} targets"
msgstr[0] "{n} chỉ tiêu"

#, fuzzy
msgid "guessed"
msgstr "đoán"

msgctxt "board status"
msgid "done"
msgstr "xong"

msgid "untranslated"
msgstr ""

msgid ""
"a long message "
"on \"two\" lines\n"
msgstr ""
"một thông điệp dài "
"trên \"hai\" dòng\n"

#~ msgid "obsolete"
#~ msgstr "cũ"
'''


def _both(text: str) -> tuple[gettext.GNUTranslations, gettext.GNUTranslations]:
    ours = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(text)))
    buf = io.BytesIO()
    write_mo(buf, read_po(io.StringIO(text), locale="vi"))
    buf.seek(0)
    return ours, gettext.GNUTranslations(buf)


def test_reading_a_po_file_agrees_with_babel() -> None:
    ours, babels = _both(PO_TEXT)
    for t in (ours, babels):
        assert t.gettext("due") == "hạn"
        assert t.ngettext("{n} target", "{n} targets", 1) == "{n} chỉ tiêu"
        assert t.ngettext("{n} target", "{n} targets", 5) == "{n} chỉ tiêu"
        assert t.gettext("guessed") == "guessed"  # fuzzy: not used
        assert t.gettext("untranslated") == "untranslated"
        assert t.pgettext("board status", "done") == "xong"
        assert t.gettext("done") == "done"
        assert t.gettext("obsolete") == "obsolete"
        assert (t.gettext('a long message on "two" lines\n')
                == 'một thông điệp dài trên "hai" dòng\n')
    for po in _catalogs():
        ours, babels = _both(po.read_text(encoding="utf-8"))
        assert ours._catalog == babels._catalog  # type: ignore[attr-defined]


def test_a_missing_or_stale_compiled_catalog_is_read_from_its_po(tmp_path: Path) -> None:
    po = tmp_path / "cli.po"
    po.write_text(PO_TEXT, encoding="utf-8")
    assert i18n._load(po).gettext("due") == "hạn"  # no .mo at all
    old = PO_TEXT.replace('msgstr "hạn"', 'msgstr "hạn cũ"')
    po.with_suffix(".mo").write_bytes(i18n.compile_po(old))
    os.utime(po.with_suffix(".mo"), (1_000_000, 1_000_000))  # older than the .po
    assert i18n._load(po).gettext("due") == "hạn"
    os.utime(po, (900_000, 900_000))  # now the .mo is the newer one: it is used
    assert i18n._load(po).gettext("due") == "hạn cũ"


def test_translating_imports_no_babel() -> None:
    code = ("import sys, agencyflow.i18n as i; i._('x'); i.ngettext('a', 'b', 2); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('babel', 'sqlalchemy', 'pydantic', 'typer')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "AGENCYFLOW_LANGUAGE": "vi"})
    assert out.stdout.strip() == "[]"
