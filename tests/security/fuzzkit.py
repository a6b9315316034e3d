"""Shared by the fuzz tests: run a hypothesis test in a worker thread while the test's event loop
(which owns the database connections) serves the requests it sends through the in-process client."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class Bridge:
    """Send coroutines from the hypothesis thread to the test's loop and wait for them."""

    def __init__(self, loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient) -> None:
        self.loop, self.client = loop, client
        self.counts: Counter[str] = Counter()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)


async def in_thread(fn: Callable[[], None]) -> None:
    """Run the (blocking) hypothesis test `fn` off the loop, so the loop can serve its requests."""
    await asyncio.get_running_loop().run_in_executor(None, fn)


def never_500(r: httpx.Response, what: str) -> None:
    assert r.status_code < 500, f"{what} → {r.status_code}: {r.text[:500]}"
