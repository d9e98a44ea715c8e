"""Text messages to residents (the points look-up codes), through a pluggable gateway.

``settings.JIAMENKOU_SMS_BACKEND`` names a backend class by dotted path; None (the
default) means there is no gateway and residents look up their points with a slip printed
at the center. A backend is any class with ``send(mobile, text)`` that raises on failure:
a real gateway is a small class wrapping its HTTP API (see site/honors/README.md).
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from jiamenkou.privacy import mask_personal_numbers

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway did not take the message."""


@dataclass(frozen=True)
class Message:
    mobile: str
    text: str


class LocmemBackend:
    """Keeps messages in ``LocmemBackend.outbox`` (for tests, like Django's mail.outbox)."""

    outbox: list[Message] = []

    def send(self, mobile: str, text: str) -> None:
        LocmemBackend.outbox.append(Message(mobile, text))


class ConsoleBackend:
    """Writes messages to standard output (development); the number is shown masked."""

    stream = None

    def send(self, mobile: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"[短信] {mask_personal_numbers(mobile)}：{text}\n")
        stream.flush()


def backend_path() -> str | None:
    return getattr(settings, "JIAMENKOU_SMS_BACKEND", None) or None


def gateway_configured() -> bool:
    return backend_path() is not None


def send_sms(mobile: str, text: str) -> bool:
    """Sends ``text`` to ``mobile``; False (logged, number masked) when there is no gateway
    or it failed."""
    path = backend_path()
    if path is None:
        return False
    try:
        import_string(path)().send(mobile, text)
    except Exception:
        logger.exception("SMS to %s failed", mask_personal_numbers(mobile))
        return False
    return True
