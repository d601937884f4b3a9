"""How notifications leave the building: e-mail over SMTP (standard library) or a log line.

SMS has no provider yet: it is logged, so the rest of the path (preferences, jobs, retries) works and
a provider only has to implement ``Channel``.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

from core.settings import Settings

log = logging.getLogger("gongzhi.outbox")


class Channel(Protocol):
    name: str

    def send(self, address: str, subject: str, body: str) -> None:
        """Deliver or raise; the job retries on an exception."""


class LogChannel:
    """Development and SMS stand-in: writes what would be sent to the log."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[tuple[str, str, str]] = []

    def send(self, address: str, subject: str, body: str) -> None:
        self.sent.append((address, subject, body))
        log.info("%s to %s: %s | %s", self.name, address, subject, body)


class SmtpChannel:
    name = "email"

    def __init__(
        self, host: str, port: int, sender: str, user: str = "", password: str = "", starttls: bool = True
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls = user, password, starttls

    def send(self, address: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, address, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


def channels_from_settings(settings: Settings) -> dict[str, Channel]:
    """E-mail over SMTP when ``GONGZHI_SMTP_HOST`` is set, else the log; SMS always the log for now."""
    email: Channel = LogChannel("email")
    if settings.smtp_host:
        email = SmtpChannel(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_user,
            settings.smtp_password.value,
            settings.smtp_starttls,
        )
    return {"email": email, "sms": LogChannel("sms")}
