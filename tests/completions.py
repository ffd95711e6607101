"""Wait, without sleeping, until a server under test has finished what it was sent."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any


class Completions:
    """Counts finished calls of an async method, by a key taken from its arguments.

    `watching()` wraps the method on its class for the duration; the wrapped method runs as
    before, and each call is counted when it returns (or raises)."""

    def __init__(self, owner: type, method: str, key: Callable[..., str]) -> None:
        self.owner, self.method, self.key = owner, method, key
        self.done: Counter[str] = Counter()
        self.changed = asyncio.Condition()

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        original = getattr(self.owner, self.method)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            try:
                return await original(*args, **kwargs)
            finally:
                async with self.changed:
                    self.done[self.key(*args)] += 1
                    self.changed.notify_all()

        setattr(self.owner, self.method, counted)
        try:
            yield
        finally:
            setattr(self.owner, self.method, original)

    async def wait(self, key: str, count: int, timeout: float = 10) -> None:
        """Until `count` calls for `key` have finished."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: self.done[key] >= count), timeout)
