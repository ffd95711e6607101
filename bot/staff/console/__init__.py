"""The staff console: web pages under /staff/ for branch staff and campaigners, served by
`bpu-bot serve` (same process, port and database) or on its own by `bpu-bot console`."""

from bot.staff.console.app import Tell, console_app

__all__ = ["Tell", "console_app"]
