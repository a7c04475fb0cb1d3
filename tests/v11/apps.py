"""Miners and a validator in the shape 11.x subnets write them: a FastAPI app checking
btauth/1 with the SDK's own ``verify`` and a metagraph policy, streaming SSE; a validator
signing httpx requests in its own ``httpx.Auth`` and setting weights through the SDK."""

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated

import bittensor as bt
import httpx
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from simnet.v11 import BtAuth


class Prompt(BaseModel):
    prompt: str
    max_tokens: int = 8


def request_target(request: Request) -> str:
    """The target as sent: raw path plus query, what btauth/1 signs."""
    query = request.scope.get("query_string", b"").decode()
    return request.scope["raw_path"].decode() + (f"?{query}" if query else "")


MAX_HOTKEY_HEADER = 64  # an ss58 address is 48 characters


def create_app(
    wallet: bt.Wallet,
    *,
    network: str = "local",
    netuid: int = 1,
    bound_headers: bool = True,
    decoded_path: bool = False,
    check_registration: bool = True,
    max_age: float = bt.http_auth.DEFAULT_MAX_AGE,
    nonce_before_verify: bool = False,
) -> FastAPI:
    """A miner: btauth/1, registered callers only, SSE tokens echoing the prompt.

    The keyword flags switch on the mistakes real ports make: no bound on the hotkey
    header, verifying the decoded path, serving unregistered callers, a ``max_age``
    beyond the default nonce store's retention, reading the nonce with ``int()`` before
    ``verify`` (to log the request's age)."""
    app = FastAPI()
    hotkey = wallet.hotkey.ss58_address
    chain = bt.Client(network)

    async def caller(request: Request) -> bt.http_auth.Caller:
        if bound_headers and len(request.headers.get("x-bittensor-hotkey", "")) > MAX_HOTKEY_HEADER:
            raise HTTPException(status_code=400, detail="hotkey header too long")
        if nonce_before_verify:
            age = time.time() - int(request.headers["x-bittensor-nonce"]) / 1e9
            logging.getLogger(__name__).debug("request signed %.3f s ago", age)
        body = await request.body()
        try:
            verified = bt.http_auth.verify(
                request.headers,
                body,
                method=request.method,
                path=request.url.path if decoded_path else request_target(request),
                self_hotkey_ss58=hotkey,
                max_age=max_age,
            )
        except bt.http_auth.AuthError as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from None
        if not check_registration:
            return verified
        metagraph = await chain.subnets.metagraph(netuid)
        if metagraph is None or verified.hotkey_ss58 not in {n.hotkey for n in metagraph.neurons}:
            raise HTTPException(status_code=403, detail="caller is not registered")
        return verified

    @app.post("/generate")
    async def generate(
        prompt: Prompt, _: Annotated[bt.http_auth.Caller, Depends(caller)]
    ) -> StreamingResponse:
        async def events() -> AsyncIterator[str]:
            for token in prompt.prompt.split()[: prompt.max_tokens]:
                yield f"data: {json.dumps({'token': token})}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def HotkeyAuth(wallet: bt.Wallet, receiver: str) -> BtAuth:
    """The validator's signer: btauth/1 bound to the miner's hotkey (simnet's helper; the
    example subnet writes its own)."""
    return BtAuth(wallet, receiver)


async def query_miner(
    http: httpx.AsyncClient, wallet: bt.Wallet, neuron: bt.MetagraphNeuron, prompt: str
) -> list[str]:
    """Stream one miner's tokens (SSE) as a validator reads them."""
    tokens: list[str] = []
    auth = HotkeyAuth(wallet, neuron.hotkey)
    async with http.stream(
        "POST", f"http://{neuron.axon}/generate", json={"prompt": prompt}, auth=auth
    ) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                tokens.append(json.loads(line[len("data: ") :])["token"])
    return tokens


async def validator_step(
    wallet: bt.Wallet, *, network: str = "local", netuid: int = 1, prompt: str = "a b c"
) -> bt.ExtrinsicResult:
    """One validator step: read the metagraph, query every served miner, set weights."""
    async with bt.Client(network) as chain, httpx.AsyncClient(timeout=10.0) as http:
        metagraph = await chain.subnets.metagraph(netuid)
        assert metagraph is not None
        scores: dict[int, float] = {}
        for neuron in metagraph.neurons:
            if neuron.axon is None or neuron.hotkey == wallet.hotkey.ss58_address:
                continue
            try:
                tokens = await query_miner(http, wallet, neuron, prompt)
            except httpx.HTTPError:
                tokens = []
            scores[neuron.uid] = 1.0 if tokens == prompt.split() else 0.0
        return await chain.execute(
            bt.SetWeights(netuid=netuid, uids=list(scores), weights=list(scores.values())), wallet
        )
