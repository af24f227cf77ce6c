"""The e-mail agencyflow sends, built here rather than by apprise (which only carries it).

apprise 2.0's e-mail plugin takes one body: given HTML it makes the plain-text part itself
(``convert_between(HTML, TEXT)``, which drops the links), and it always sets a fresh random
``Message-ID`` after any custom header. So the message is built here — ``multipart/alternative``
with our ``.txt`` template as the ``text/plain`` part and our ``.html`` template as the
``text/html`` part, UTF-8 in quoted-printable, headers RFC 2047-encoded — and handed to apprise's
SMTP transport (:mod:`agencyflow.notifications.apprise_channels`).

``Message-ID`` is derived from the delivery key (:func:`~agencyflow.notifications.base.
delivery_key`): a second delivery of the same notification to the same channel is the same
message to every mail client. ``X-Agencyflow-Key`` carries the delivery key itself.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from agencyflow.notifications.base import Message

#: The header carrying the delivery key (the same value as webhooks' ``Idempotency-Key``).
KEY_HEADER = "X-Agencyflow-Key"


def message_id(key: str, domain: str) -> str:
    """``<af.<32 hex of sha256(key)>@domain>``: stable for a delivery key, valid RFC 5322."""
    return f"<af.{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


def build(message: Message, *, sender: tuple[str | None, str], to: tuple[str | None, str],
          cc: Iterable[tuple[str | None, str]] = (), reply_to: Iterable[str] = (),
          key: str | None = None, headers: Mapping[str, str] | None = None,
          now: datetime | None = None) -> EmailMessage:
    """One e-mail to ``to``: both parts from the templates (text only when ``message.html``
    is None), with the stable ``Message-ID`` when ``key`` is given."""
    mail = EmailMessage()
    for name, value in (headers or {}).items():
        mail[name] = value
    mail["Subject"] = " ".join(message.subject.split())
    mail["From"] = formataddr(sender)
    mail["To"] = formataddr(to)
    copies = [formataddr(c) for c in cc if c[1] != to[1]]
    if copies:
        mail["Cc"] = ", ".join(copies)
    if reply_to := [r for r in reply_to if r != to[1]]:
        mail["Reply-To"] = ", ".join(reply_to)
    mail["Date"] = format_datetime(now or datetime.now().astimezone())
    domain = sender[1].rpartition("@")[2] or "agencyflow.invalid"
    if key is not None:
        mail["Message-ID"] = message_id(key, domain)
        mail[KEY_HEADER] = key
    mail.set_content(message.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html", charset="utf-8",
                             cte="quoted-printable")
    for path in message.attachments:  # the parts above become the first part of mixed
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        maintype, _, subtype = kind.partition("/")
        mail.add_attachment(Path(path).read_bytes(), maintype=maintype, subtype=subtype,
                            filename=Path(path).name)
    return mail
