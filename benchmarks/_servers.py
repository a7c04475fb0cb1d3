"""The baselines' servers, in a process of their own (started by ``benchmarks/e2e.py``).

    python benchmarks/_servers.py N

Serves, with uvicorn on one loop, N loopback sockets with the floor (a plain starlette
``StreamingResponse``) and N with the shape of an Axon (the same endpoint in a FastAPI
app behind one pass-through ``BaseHTTPMiddleware``, as bittensor builds every Axon
app, with no bittensor code). Prints one JSON line of the ports, then serves until its
standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys

import uvicorn
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

# The reference miner's answer to the benchmark's prompt: the same bytes, the same chunks.
PROMPT = "the quick brown fox jumps over the lazy dog " * 8
TOKENS = re.findall(r"\s*\S+|\s+", PROMPT)  # as the reference miner's EchoModel splits it
CHUNKS = ["".join(TOKENS[i : i + 3]).encode() for i in range(0, len(TOKENS), 3)]


async def plain_endpoint(request: Request) -> StreamingResponse:
    await request.body()

    async def body():  # type: ignore[no-untyped-def]
        for chunk in CHUNKS:
            yield chunk

    return StreamingResponse(body(), media_type="text/event-stream")


class PassThrough(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        return await call_next(request)


def axon_shaped_app() -> FastAPI:
    app = FastAPI()
    app.add_api_route("/StreamPrompting", plain_endpoint, methods=["POST"])
    app.add_middleware(PassThrough)
    return app


APPS = {
    "floor": Starlette(routes=[Route("/StreamPrompting", plain_endpoint, methods=["POST"])]),
    "shape of an Axon": axon_shaped_app(),
}


def _bound() -> socket.socket:
    # IPPROTO_TCP, so that asyncio sets TCP_NODELAY on accepted connections (else Nagle's
    # algorithm meets delayed ACKs: ~40 ms per response on a kept-alive connection).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    sock.setblocking(False)
    return sock


async def main(count: int) -> None:
    servers, ports = [], {}
    for name, app in APPS.items():
        sockets = [_bound() for _ in range(count)]
        config = uvicorn.Config(
            app, log_level="critical", lifespan="off", log_config=None, timeout_keep_alive=120
        )
        server = uvicorn.Server(config)
        servers.append((server, asyncio.ensure_future(server.serve(sockets=sockets))))
        ports[name] = [s.getsockname()[1] for s in sockets]
    while not all(server.started for server, _ in servers):
        await asyncio.sleep(0.01)
    print(json.dumps(ports), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for server, _ in servers:
        server.should_exit = True
    await asyncio.gather(*(task for _, task in servers))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
