"""What each kind of apprise channel receives, with the delivery's identity.

Used by :class:`~agencyflow.notifications.apprise_notifier.AppriseNotifier` for every send
(with :mod:`apprise_notifier`, the only modules that import apprise):

- **e-mail** (``mailto://``, ``mailtos://``): the message built by
  :mod:`agencyflow.notifications.email_mime` — both parts from our templates, ``Message-ID``
  from the delivery key — sent through apprise's SMTP transport with the URL's settings
  (host, port, TLS mode, login, timeouts, sender, recipients, ``+Header`` headers); one message
  per recipient, as apprise does. apprise's own e-mail body options (PGP, attachments) are not
  used.
- **JSON webhook** (``json://``, ``jsons://``): apprise's payload plus ``idempotency_key`` and
  ``notification`` (:mod:`agencyflow.notifications.payload`), and an ``Idempotency-Key`` header.
- **MQTT** (``mqtt://``, ``mqtts://``): a JSON document ``{title, message, type,
  idempotency_key, notification}`` as the published payload.
- **other webhooks with headers** (``xml://``, ``form://``): an ``Idempotency-Key`` header.
- anything else: the plain-text body, as before.

Every kind gets the apprise notification type of the message (``info`` … ``failure``).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import apprise
from apprise.exception import AppriseImproperlyConfigured
from apprise.plugins.custom_json import NotifyJSON
from apprise.plugins.email import NotifyEmail
from apprise.plugins.email.smtp import SMTP_EXCEPTIONS, AppriseSMTPController
from apprise.plugins.mqtt import NotifyMQTT

from agencyflow.notifications import email_mime
from agencyflow.notifications.base import ChannelResult, Message

#: The HTTP header carrying the delivery key on webhooks.
IDEMPOTENCY_HEADER = "Idempotency-Key"
_MAX_ERROR = 500


def machine_document(message: Message, key: str | None) -> dict[str, Any]:
    """The fields a machine channel adds to (JSON) or sends as (MQTT) its payload."""
    return {"idempotency_key": key, "notification": dict(message.data or {})}


def with_identity(service: apprise.NotifyBase, message: Message, key: str | None
                  ) -> apprise.NotifyBase:
    """A copy of ``service`` (never the shared one: sends run concurrently) that adds the
    delivery key header and, for JSON webhooks, our payload fields; ``service`` itself when
    there is nothing to add."""
    headers = getattr(service, "headers", None)
    if key is None and message.data is None or not isinstance(headers, dict):
        return service
    clone: Any = copy.copy(service)
    if key is not None:
        clone.headers = {**headers, IDEMPOTENCY_HEADER: key}
    if isinstance(service, NotifyJSON):
        clone.payload_extras = {**service.payload_extras, **machine_document(message, key)}
    return clone


def body_for(service: apprise.NotifyBase, message: Message, key: str | None
             ) -> tuple[str, str]:
    """``(body, title)`` for a non-e-mail service: MQTT publishes one JSON document."""
    if isinstance(service, NotifyMQTT):
        document = {"title": message.subject, "message": message.text,
                    "type": message.notify_type, **machine_document(message, key)}
        return json.dumps(document, ensure_ascii=False), ""
    return message.text, message.subject


class _Transport(AppriseSMTPController):
    """apprise's SMTP connection (TLS, login, timeouts), reporting why a message failed."""

    def deliver(self, sender: str, recipients: list[str], text: str) -> str | None:
        """Send one message; None when accepted, else the server's answer or the error."""
        try:
            socket: Any = self._socket  # connected by __enter__
            refused = socket.sendmail(sender, recipients, text)
        except SMTP_EXCEPTIONS as exc:
            return _smtp_error(exc)
        if refused:
            return "; ".join(f"{a} refused: {code} {_text(answer)}"
                             for a, (code, answer) in refused.items())
        return None


def _text(answer: Any) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _smtp_error(exc: BaseException) -> str:
    code = getattr(exc, "smtp_code", None)
    if code is not None:
        return f"SMTP {code}: {_text(getattr(exc, 'smtp_error', ''))}"
    return f"{type(exc).__name__}: {exc}"


def send_email(channel: str, service: NotifyEmail, message: Message, key: str | None
               ) -> ChannelResult:
    """Build our e-mail and send it with apprise's SMTP transport; never raises."""
    if not service.targets:
        return ChannelResult(channel, ok=False, error="no e-mail recipient in the URL")
    sender = (service.from_addr[0] or None, service.from_addr[1])
    headers = {"X-Application": service.app_id, **service.headers}
    cc = [(service.names.get(a) or None, a) for a in sorted(service.cc - service.bcc)]
    errors: list[str] = []
    smtp = _Transport(
        host=service.smtp_host, port=service.port, secure_mode=service.secure_mode,
        user=service.user, password=service.password,
        verify_certificate=service.verify_certificate,
        socket_connect_timeout=service.socket_connect_timeout)
    try:
        with smtp:
            for name, address in service.targets:
                mail = email_mime.build(message, sender=sender, to=(name or None, address),
                                        cc=cc, reply_to=sorted(service.reply_to), key=key,
                                        headers=headers)
                envelope = [address, *(a for _, a in cc if a != address),
                            *(a for a in sorted(service.bcc) if a != address)]
                if (error := smtp.deliver(sender[1], envelope, mail.as_string())) is not None:
                    errors.append(f"{address}: {error}")
    except (*SMTP_EXCEPTIONS, AppriseImproperlyConfigured) as exc:  # connect, TLS, login
        errors.append(f"{service.smtp_host}:{service.port}: {_smtp_error(exc)}")
    if errors:
        return ChannelResult(channel, ok=False, error=("; ".join(errors))[:_MAX_ERROR])
    return ChannelResult(channel, ok=True)
