"""The miner: a FastAPI app that verifies btauth/1, serves registered validators only,
and streams the words of the query back as server-sent events."""

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import bittensor as bt
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import StreamingResponse

from btauth_subnet.protocol import DONE, Query, event

MAX_HOTKEY_HEADER = 64  # an ss58 address is 48 characters; bound it before verify()


def request_target(request: Request) -> str:
    """The request target exactly as sent (raw path and query): what btauth/1 signs."""
    query = request.scope.get("query_string", b"").decode()
    return request.scope["raw_path"].decode() + (f"?{query}" if query else "")


class Miner:
    def __init__(self, config: argparse.Namespace) -> None:
        self.config = config
        self.wallet = bt.Wallet(config.wallet_name, config.wallet_hotkey, path=config.wallet_path)
        self.hotkey = self.wallet.hotkey.ss58_address
        self.client = bt.Client(config.network)
        self.app = FastAPI(lifespan=self.lifespan)
        self.app.post("/query")(self.query)

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """At startup: connect to the chain and publish this miner's address."""
        await self.client.connect()
        result = await self.publish()
        if not result.success:
            raise RuntimeError(f"could not publish the miner's address: {result.message}")
        yield
        await self.client.close()

    async def caller(self, request: Request) -> bt.http_auth.Caller:
        """The verified, registered validator sending ``request`` (else 400/401/403)."""
        if len(request.headers.get("x-bittensor-hotkey", "")) > MAX_HOTKEY_HEADER:
            raise HTTPException(status_code=400, detail="hotkey header too long")
        try:
            caller = bt.http_auth.verify(
                request.headers,
                await request.body(),
                method=request.method,
                path=request_target(request),
                self_hotkey_ss58=self.hotkey,
            )
        except bt.http_auth.AuthError as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from None
        metagraph = await self.client.subnets.metagraph(self.config.netuid)
        neurons = {n.hotkey: n for n in metagraph.neurons} if metagraph else {}
        if caller.hotkey_ss58 not in neurons:
            raise HTTPException(status_code=403, detail="not registered on this subnet")
        return caller

    async def query(self, query: Query, request: Request) -> StreamingResponse:
        await self.caller(request)

        async def words() -> AsyncIterator[str]:
            for word in query.text.split():
                yield event(word)
            yield f"data: {DONE}\n\n"

        return StreamingResponse(words(), media_type="text/event-stream")

    async def publish(self) -> bt.ExtrinsicResult:
        """Publish this miner's address on chain (the ServeAxon intent)."""
        ip = self.config.external_ip or self.config.axon_ip
        return await self.client.execute(
            bt.ServeAxon(netuid=self.config.netuid, ip=ip, port=self.config.axon_port),
            self.wallet,
        )
