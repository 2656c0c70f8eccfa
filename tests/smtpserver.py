"""A real SMTP server for the tests (aiosmtpd), the portal's e-mail backend pointed at it.

`smtp` (tests/conftest.py) starts it on 127.0.0.1 on a free port and sets the SMTP backend, EMAIL_HOST and
EMAIL_PORT as `EMAIL_URL=smtp://127.0.0.1:<port>` would (portail/settings.py reads it with env.email_url).
Every accepted message is parsed with the standard library and kept in `smtp.messages`; an address put in
`smtp.refuse` is answered `550` at RCPT TO, as a mailbox that does not exist would be."""

import email
import email.policy
import socket
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    envelope_to: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return " ".join(str(self.message["Subject"]).split())

    @property
    def to(self) -> list[str]:
        return [a.strip() for a in str(self.message["To"]).split(",")]

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.get_filename():
                return part.get_content()
        raise AssertionError(f"no {content_type} part")

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")

    def attachments(self) -> list[tuple[str, str, bytes]]:
        return [
            (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in self.message.walk()
            if part.get_filename()
        ]


@dataclass
class Handler:
    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    @property
    def refuse(self) -> set[str]:
        return self.handler.refuse

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.envelope_to]

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()
