"""What a server reads once per database file, shared by every request that asks for it meanwhile.

A served generation's file never changes, so a value read from it (the persons' name forms a search
expands names by, the registers' ids the cells link) is good until the file is replaced. At 100,000
quotations the ids take a few hundred milliseconds to read: a request that needs one while another
request is reading it waits for that read instead of making another. (Reading them as the server
starts, in the background, was tried: the home page's first request then took 1.5 s instead of 0.5,
the two sharing the interpreter.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any


def file_key(db) -> tuple:
    """A database file's identity and version (its path and modification time); the object's id for
    one with no file (a memory database)."""
    path = Path(db.path) if db.path else None
    return (str(path), path.stat().st_mtime_ns) if path and path.exists() else (id(db),)


class PerFile:
    """Values computed once per key (a database file's version), the last `keep` of them. A read under
    way is shared: the requests that ask meanwhile await the same task. A read whose event loop has
    gone (the tests run each request in a loop of its own) or that failed is made again."""

    def __init__(self, keep: int = 4):
        self.keep = keep
        self.found: dict[tuple, Any] = {}  # key -> the value, or the task reading it

    async def get(self, key: tuple, make: Callable[[], Awaitable[Any]]) -> Any:
        found = self.found.get(key)
        if isinstance(found, asyncio.Future):
            if found.done() and not found.cancelled() and found.exception() is None:
                found = self.found[key] = found.result()
                return found
            if found.done() or found.get_loop() is not asyncio.get_running_loop():
                found = None  # cancelled, failed, or under way in a loop that is not this one
        elif key in self.found:
            return found
        if found is None:
            self.found.pop(key, None)
            while len(self.found) >= self.keep:  # a long-running server sees a new file with every build
                self.found.pop(next(iter(self.found)))
            found = self.found[key] = asyncio.ensure_future(make())
        value = await asyncio.shield(found)  # a request that goes does not cancel the read the others await
        if self.found.get(key) is found:
            self.found[key] = value
        return value

