"""web.middleware.PinnedReads on PostgreSQL: a command's statements share one pooled connection (one
reset per request), and no connection is held while the app waits for the request's body (a slow
upload must not keep one of the pool's few)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from engine import pinned, sql
from engine.settings import Settings
from web.middleware import PinnedReads


async def _pid() -> int:
    row = await sql.fetch_one(sql.db(), "SELECT pg_backend_pid() AS pid")
    assert row is not None
    return int(row["pid"])


async def test_a_command_keeps_one_connection_and_none_while_its_body_arrives(db: Settings) -> None:
    if not sql.is_postgres(sql.db()):
        pytest.skip("the pool is PostgreSQL's")
    held_while_receiving: list[object] = []

    async def endpoint(request: Request) -> JSONResponse:
        first, again = await _pid(), await _pid()
        body = await request.body()  # the client is still sending it
        return JSONResponse({"same": first == again, "after": await _pid(), "body": body.decode()})

    app = Starlette(routes=[Route("/x", endpoint, methods=["POST"])], middleware=[Middleware(PinnedReads)])
    arrived = asyncio.Event()

    async def receive() -> dict[str, Any]:
        client = pinned.current()
        held_while_receiving.append(client._connection if client is not None else "unpinned")
        await arrived.wait()
        return {"type": "http.request", "body": b"slow", "more_body": False}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "raw_path": b"/x", "root_path": "", "query_string": b"",
             "headers": [], "scheme": "http", "server": ("t", 80), "client": ("c", 1), "http_version": "1.1"}
    call = asyncio.create_task(app(scope, receive, send))
    for _ in range(100):
        if held_while_receiving:
            break
        await asyncio.sleep(0.01)
    assert held_while_receiving == [None]  # pinned, but the connection went back before waiting
    arrived.set()
    await asyncio.wait_for(call, 10)
    body = next(m for m in sent if m["type"] == "http.response.body")["body"]
    assert sent[0]["status"] == 200 and b'"same":true' in body and b'"body":"slow"' in body, body
