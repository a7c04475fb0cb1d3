"""The wire protocol: a JSON request, an SSE response, btauth/1 on every request."""

import json
from collections.abc import AsyncIterator, Generator

import bittensor as bt
import httpx
from pydantic import BaseModel

DONE = "[DONE]"


class Query(BaseModel):
    """What a validator asks a miner: repeat ``text`` word by word."""

    text: str


def event(word: str) -> str:
    return f"data: {json.dumps({'word': word})}\n\n"


async def read_words(response: httpx.Response) -> AsyncIterator[str]:
    """The words of an SSE response, as they arrive."""
    async for line in response.aiter_lines():
        if not line.startswith("data: "):
            continue
        data = line[len("data: ") :]
        if data == DONE:
            return
        yield json.loads(data)["word"]


class HotkeyAuth(httpx.Auth):
    """Signs each request (btauth/1) with the validator's hotkey for one miner's hotkey."""

    requires_request_body = True

    def __init__(self, wallet: bt.Wallet, miner_hotkey: str) -> None:
        self.wallet = wallet
        self.miner_hotkey = miner_hotkey

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(
            bt.http_auth.sign(
                self.wallet,
                method=request.method,
                path=request.url.raw_path.decode(),
                body=request.content,
                receiver_ss58=self.miner_hotkey,
            )
        )
        yield request
