"""The Telegram front-end: `investqa telegram` (the bot) and `investqa feedback` (vote export).

Only argparse wiring lives here; python-telegram-bot is imported inside the handlers so
that other subcommands (e.g. `investqa ask`) start without loading it.
"""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the `telegram` and `feedback` subcommands to the CLI's subparsers."""
    telegram = subparsers.add_parser(
        "telegram",
        help="run the Telegram bot (token in TELEGRAM_BOT_TOKEN)",
        description="Run the Telegram bot until SIGINT/SIGTERM. Settings come from the environment: "
        "TELEGRAM_BOT_TOKEN (required), TELEGRAM_API_BASE_URL, INVESTQA_ALLOWED_USERS, "
        "INVESTQA_ALLOWED_CHATS, INVESTQA_ADMINS (may add and remove documents), INVESTQA_INDEX, INVESTQA_SEEDS, "
        "INVESTQA_PROXY (else HTTPS_PROXY / ALL_PROXY), INVESTQA_WEBHOOK_URL, INVESTQA_LISTEN, INVESTQA_WEBHOOK_SECRET. "
        "Long polling unless a webhook URL is given.",
    )
    _index_option(telegram)
    telegram.add_argument(
        "--seeds", default=None, metavar="DIR",
        help="where documents admins send are stored (default: $INVESTQA_SEEDS or seeds)",
    )
    telegram.add_argument(
        "--results", type=int, default=None, metavar="N", help="results per message (default 3; env INVESTQA_RESULTS)"
    )
    telegram.add_argument(
        "--questions-per-minute",
        type=int,
        default=None,
        metavar="N",
        help="questions one user may ask per minute (default 10; env INVESTQA_QUESTIONS_PER_MINUTE)",
    )
    telegram.add_argument(
        "--reload-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how often to check for a rebuilt index (default 5; env INVESTQA_RELOAD_INTERVAL)",
    )
    telegram.add_argument(
        "--webhook-url",
        default=None,
        metavar="URL",
        help="webhook mode: the public https:// URL Telegram posts updates to (env INVESTQA_WEBHOOK_URL)",
    )
    telegram.add_argument(
        "--listen",
        default=None,
        metavar="HOST:PORT",
        help="webhook mode: where the local listener binds (default 127.0.0.1:8443; env INVESTQA_LISTEN)",
    )
    telegram.add_argument(
        "--keep-webhook",
        action="store_true",
        help="webhook mode: do not call deleteWebhook on stop (other workers still serve the URL)",
    )
    telegram.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    telegram.set_defaults(handler=run_telegram)

    feedback = subparsers.add_parser(
        "feedback",
        help="export the 👍/👎 votes collected by the Telegram bot",
        description="Print the votes stored in the index's state folder (feedback.sqlite3). "
        "With --json: JSON Lines, one object per vote, oldest first.",
    )
    _index_option(feedback)
    feedback.add_argument("--json", action="store_true", help="JSON Lines: one JSON object per line")
    feedback.set_defaults(handler=run_feedback)


def _index_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a global `--index` given before the subcommand is not overwritten by our default
    parser.add_argument(
        "--index",
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="index folder (default: $INVESTQA_INDEX or vectors)",
    )


def run_telegram(args) -> int:
    from .app import run

    return run(args)


def run_feedback(args) -> int:
    from .export import run

    return run(args)
