"""A real SMTP server on loopback (aiosmtpd) that records what it is handed."""

from __future__ import annotations

import threading
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

from .processes import free_port


class Recorder:
    """aiosmtpd handler: keeps every message; `on_data` (if set) runs once, after the
    message is recorded and before the server answers 250 — the moment a crash of the
    sender leaves a delivered message it never heard was accepted."""

    def __init__(self):
        self.messages: list[Message] = []
        self.on_data = None
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        self.received.set()
        hook, self.on_data = self.on_data, None
        if hook is not None:
            await hook()
        return "250 Message accepted for delivery"


class SMTPServer:
    """`with SMTPServer() as smtp:` → smtp.port, smtp.recorder.messages."""

    def __init__(self):
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
