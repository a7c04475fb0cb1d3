"""Streaming readers as validators write them, right and wrong (httpx and aiohttp)."""

import json
import uuid

import aiohttp
import httpx


async def sse_words(response: httpx.Response) -> list[str]:
    """Right: lines are reassembled across reads; errors raise."""
    response.raise_for_status()
    words = []
    async for line in response.aiter_lines():
        if line.startswith("data: ") and line != "data: [DONE]":
            words.append(json.loads(line[6:])["text"])
    return words


async def sse_per_read(response: httpx.Response) -> list[str]:
    """Wrong: assumes every read holds whole events."""
    response.raise_for_status()
    words = []
    async for chunk in response.aiter_bytes():
        for event in chunk.decode().split("\n\n"):
            if event.startswith("data: ") and event != "data: [DONE]":
                words.append(json.loads(event[6:])["text"])
    return words


async def text_ignoring_errors(response: httpx.Response) -> str:
    """Wrong: decodes each read on its own, dropping characters split between reads."""
    response.raise_for_status()
    return "".join([chunk.decode(errors="ignore") async for chunk in response.aiter_raw()])


async def text_whatever_the_status(response: httpx.Response) -> str:
    """Wrong: a 403's JSON becomes the completion."""
    return "".join([piece async for piece in response.aiter_text()])


async def ndjson_items(response: aiohttp.ClientResponse):
    """Right (aiohttp): readline reassembles lines; yields one object per line."""
    response.raise_for_status()
    while line := await response.content.readline():
        if line.strip():
            yield json.loads(line)


async def ndjson_per_read(response: aiohttp.ClientResponse):
    """Wrong (aiohttp): one read is not one line."""
    response.raise_for_status()
    async for chunk in response.content.iter_any():
        for line in chunk.splitlines():
            if line.strip():
                yield json.loads(line)


async def stamped(response: httpx.Response) -> dict:
    """Right, but its result carries a fresh request id each time (not a chunking bug)."""
    response.raise_for_status()
    body = b"".join([chunk async for chunk in response.aiter_bytes()])
    return {"body": body, "request_id": uuid.uuid4().hex}
