"""The floor: the smallest python-telegram-bot echo bot, configured like blocbot's channel."""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def main(api_url: str) -> None:
    application = (
        ApplicationBuilder()
        .token("123:ABC")
        .base_url(api_url)
        .request(HTTPXRequest(connection_pool_size=256))
        .get_updates_request(HTTPXRequest())
        .concurrent_updates(256)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    print("echo bot is running", flush=True)
    application.run_polling(poll_interval=0, timeout=1)


if __name__ == "__main__":
    main(sys.argv[1])
