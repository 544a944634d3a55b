"""A real SMTP server inside the test run.

``aiosmtpd`` listens on a free port of the loopback interface; Odoo's
outgoing mail server is pointed at it, and the tests read what it received.
Odoo sends no email while a test runs (``odoo.modules.module.current_test``
stops ``ir.mail_server`` before it connects); :meth:`SmtpCase.smtp_sending`
lifts that guard, and only that, for the block it wraps: the email goes
through Odoo's own mail queue, ``smtplib`` and a real TCP connection.
"""

import email
import email.policy
import re
import socket
import threading
from contextlib import contextmanager
from unittest.mock import patch

from aiosmtpd.controller import Controller

import odoo

# What the tests saw of the real parts, printed at the end of the run
# (conftest.py), so the output names the email caught, the link followed
# and what it stored.
REPORTED = []


def report(line):
    REPORTED.append(line)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message received, parsed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "message": message,
                }
            )
        return "250 Message accepted for delivery"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def received(self):
        with self.lock:
            return list(self.messages)


def body_text(message):
    """The HTML (else plain) body of a received email, decoded."""
    part = message.get_body(preferencelist=("html", "plain"))
    return part.get_content() if part else ""


def links(message, pattern):
    """The links of a received email whose address matches ``pattern``."""
    return re.findall(r'href="([^"]*%s[^"]*)"' % pattern, body_text(message))


class SmtpCase:
    """Mixin of a test case: a real SMTP server for the whole class, set as
    Odoo's only outgoing mail server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inbox = Inbox()
        cls.smtp_port = free_port()
        cls.smtp_controller = Controller(
            cls.inbox, hostname="127.0.0.1", port=cls.smtp_port
        )
        cls.smtp_controller.start()
        cls.addClassCleanup(cls.smtp_controller.stop)
        servers = cls.env["ir.mail_server"].sudo()
        servers.search([]).action_archive()
        cls.mail_server = servers.create(
            {
                "name": "Test run SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": cls.smtp_port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )

    def setUp(self):
        super().setUp()
        self.inbox.clear()

    @contextmanager
    def smtp_sending(self):
        """Let Odoo really send email for the duration of the block."""
        with patch.object(odoo.modules.module, "current_test", False):
            yield self.inbox
