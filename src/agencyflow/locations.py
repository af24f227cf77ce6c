"""Where agencyflow keeps its data, read from the environment with the standard library only.

:class:`agencyflow.config.Settings` (pydantic-settings, ~0.3 s to import) reads every setting and
validates it; interactive commands that only read the database (``agencyflow board``) need just the
data directory, the database URL and the calendar override file. :func:`from_environment` reads
those, and returns None whenever it cannot vouch that ``Settings`` would read the same values (then
the caller uses ``Settings``, which also reports a bad variable). The defaults and the URL rule
below are the ones ``Settings`` itself uses, and a test keeps both readers in agreement.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from agencyflow.i18n import _

APP_NAME = "agencyflow"
PREFIX = "AGENCYFLOW_"

#: The variables :func:`from_environment` reads; LANGUAGE only to refuse what Settings refuses.
_READ = ("DATA_DIR", "DATABASE_URL", "CALENDAR_OVERRIDES", "LANGUAGE", "TOKEN", "SIMULATION")
LANGUAGES = ("vi", "en")
#: How pydantic reads a boolean variable (``AGENCYFLOW_SIMULATION``); anything else: Settings
#: decides (and refuses it).
_BOOLEANS = {"1": True, "on": True, "t": True, "true": True, "y": True, "yes": True,
             "0": False, "off": False, "f": False, "false": False, "n": False, "no": False}


def supported_databases() -> str:
    """The databases agencyflow runs on, as error messages name them."""
    return _("sqlite:///PATH (the embedded default) or "
             "postgresql://USER:PASSWORD@HOST:PORT/DATABASE (psycopg, installed with agencyflow)")


_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")
_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


def masked_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages)."""
    return _PASSWORD.sub(r"\1:***@", url)


def check_database_url(url: str) -> None:
    """ValueError naming the supported databases unless ``url`` is one agencyflow runs on.

    Only the scheme is checked here (no SQLAlchemy); :func:`agencyflow.db.make_engine` reports a
    URL that is malformed after its scheme.
    """
    scheme, sep, _rest = url.partition("://")
    scheme = scheme.lower()
    if sep and scheme in _SCHEMES:
        return
    if not sep:
        why = _("it is not a URL")
    elif scheme.split("+")[0] in ("mysql", "mariadb", "oracle", "mssql"):
        why = _("{kind} is not supported").format(kind=scheme.split("+")[0])
    elif scheme.startswith("postgres"):
        why = _("the driver {scheme} is not supported: write postgresql:// (agencyflow uses "
                "psycopg)").format(scheme=repr(scheme))
    else:
        why = _("unknown database kind {scheme}").format(scheme=repr(scheme))
    raise ValueError(_("unsupported database URL {url}: {why}; agencyflow runs on {supported}"
                       ).format(url=repr(masked_url(url)), why=why,
                                supported=supported_databases()))


def default_data_dir() -> Path:
    """The per-user data directory where the embedded SQLite database lives."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_url_for(database_url: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL: the configured one, or SQLite in the data directory."""
    if database_url:
        return database_url
    return f"sqlite:///{data_dir / 'agencyflow.db'}"


@dataclass(frozen=True)
class Locations:
    """The data directory, the configured database URL, the calendar override file, the API
    token the command acts with (checked by every command that opens the database), the
    language of what is written for people (notices) and whether writes run on a simulated
    clock (``AGENCYFLOW_SIMULATION``)."""

    data_dir: Path
    database_url: str | None = None
    calendar_overrides: Path | None = None
    token: str | None = None
    language: str = "vi"
    simulation: bool = False

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        return database_url_for(self.database_url, self.data_dir)


def from_environment(environ: Mapping[str, str] | None = None) -> Locations | None:
    """The locations set by ``AGENCYFLOW_*`` variables, or None when only Settings can tell.

    None when a variable it reads is spelled in another case (pydantic-settings ignores case, and
    which spelling wins is its business), is empty, or is a language Settings refuses.
    """
    env = os.environ if environ is None else environ
    wanted = {PREFIX + name for name in _READ}
    if any(key.upper() in wanted and key not in wanted for key in env):
        return None
    values = {name: env.get(PREFIX + name) for name in _READ}
    if any(value == "" for value in values.values()):
        return None
    if values["LANGUAGE"] is not None and values["LANGUAGE"] not in LANGUAGES:
        return None
    simulation = _BOOLEANS.get((values["SIMULATION"] or "false").lower())
    if simulation is None:
        return None
    data_dir, overrides = values["DATA_DIR"], values["CALENDAR_OVERRIDES"]
    return Locations(
        data_dir=Path(data_dir) if data_dir is not None else default_data_dir(),
        database_url=values["DATABASE_URL"],
        calendar_overrides=Path(overrides) if overrides is not None else None,
        token=values["TOKEN"],
        language=values["LANGUAGE"] or "vi",
        simulation=simulation,
    )
