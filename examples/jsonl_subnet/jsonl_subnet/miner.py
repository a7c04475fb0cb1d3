"""A miner that streams the words of the query as JSON lines (no model to download)."""

import asyncio
import json
import typing
from functools import partial
from typing import Any

from jsonl_subnet.protocol import JsonLinesQuery


class WordMiner:
    """Streams each word of the query as ``{"i": n, "token": word}``, one line per send."""

    def __init__(self, metagraph: Any, *, delay: float = 0.0) -> None:
        self.metagraph = metagraph
        self.delay = delay

    def forward(self, synapse: JsonLinesQuery) -> JsonLinesQuery.BTStreamingResponse:
        return synapse.create_streaming_response(partial(self._stream, synapse.query.split()))

    async def _stream(self, words: list[str], send: Any) -> None:
        for index, word in enumerate(words):
            line = json.dumps({"i": index, "token": word}) + "\n"
            await send({"type": "http.response.body", "body": line.encode(), "more_body": True})
            await asyncio.sleep(self.delay)

    async def blacklist(self, synapse: JsonLinesQuery) -> typing.Tuple[bool, str]:  # noqa: UP006
        if synapse.dendrite.hotkey not in self.metagraph.hotkeys:
            return True, "unregistered hotkey"
        return False, "ok"
