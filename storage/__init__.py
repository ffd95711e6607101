"""SQLite storage through aiosqlite: the connection, migrations, and one module per table."""

from .database import Database

__all__ = ["Database"]
