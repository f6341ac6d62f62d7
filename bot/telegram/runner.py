"""Running the built Application: wait for Telegram, then poll (default) or serve a webhook,
until SIGINT/SIGTERM.

The stop signals are ours rather than python-telegram-bot's: while waiting for Telegram at
start-up a signal cancels the wait (exit 0, no traceback); once running it marks the link
as stopping (retries end, answers in flight get one last try) and then stops the
Application the way PTB does (SystemExit inside its loop → graceful stop).
"""
from __future__ import annotations

import asyncio
import logging
import signal

from telegram.ext import Application

from . import webhook as webhook_mode
from .network import Link, ResilientRequest, wait_for_telegram

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "inline_query"]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopper:
    """SIGINT/SIGTERM handling for one event loop, first for the start-up wait, then for the run."""

    def __init__(self, loop: asyncio.AbstractEventLoop, link: Link):
        self.loop = loop
        self.link = link
        self.waiting: asyncio.Task | None = None
        self.signalled = False
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self._on_signal, sig)

    def _on_signal(self, sig: signal.Signals) -> None:
        if self.signalled:
            log.info("already stopping")
            return
        self.signalled = True
        log.info("received %s: stopping", signal.Signals(sig).name)
        self.link.stop()
        if self.waiting is not None and not self.waiting.done():
            self.waiting.cancel()
            return
        raise SystemExit(0)  # what PTB's own stop-signal handler does: run_polling/run_webhook stop cleanly

    def wait_for_telegram(self, request: ResilientRequest, token: str, base_url: str | None) -> bool:
        """True once getMe answers; False when a stop signal came first."""
        self.waiting = self.loop.create_task(wait_for_telegram(request, token, base_url))
        try:
            self.loop.run_until_complete(self.waiting)
        except asyncio.CancelledError:
            log.info("stopped before Telegram could be reached")
            return False
        finally:
            self.waiting = None
        return not self.signalled

    def close(self) -> None:
        for sig in STOP_SIGNALS:
            self.loop.remove_signal_handler(sig)
        if not self.loop.is_closed():
            self.loop.close()


def serve(application: Application, link: Link, token: str, base_url: str | None, webhook=None) -> bool:
    """Run the bot until a stop signal. False if it was stopped before Telegram was reached.

    Raises InvalidToken when Telegram rejects the token, and whatever else stops the bot.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stopper = Stopper(loop, link)
    try:
        request = application.bot.request
        assert isinstance(request, ResilientRequest)
        loop.run_until_complete(request.initialize())
        if not stopper.wait_for_telegram(request, token, base_url):
            loop.run_until_complete(request.shutdown())
            return False
        if webhook is None:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=None, close_loop=False)
        else:
            webhook_mode.run(application, webhook, ALLOWED_UPDATES)
        return True
    finally:
        stopper.close()
