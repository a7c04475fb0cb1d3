"""A validator-style client: query every miner at once, score the streams, set weights."""

import asyncio
from typing import Any

from jsonl_subnet.protocol import JsonLinesQuery


async def query_all(dendrite: Any, axons: list[Any], query: str, timeout: float = 12.0) -> list:
    """The final synapse of each miner's stream, in the order of ``axons``."""
    streams = await dendrite(
        axons, JsonLinesQuery(query=query), streaming=True, deserialize=False, timeout=timeout
    )

    async def final(stream: Any) -> JsonLinesQuery:
        return [item async for item in stream][-1]

    return await asyncio.gather(*map(final, streams))


def score(query: str, response: JsonLinesQuery) -> float:
    """1.0 for every word back in order with status 200, the matching share otherwise."""
    expected = query.split()
    if response.dendrite.status_code != 200 or not expected:
        return 0.0
    matching = sum(a == b for a, b in zip(expected, response.tokens, strict=False))
    return matching / len(expected)


async def run_step(
    dendrite: Any,
    subtensor: Any,
    wallet: Any,
    netuid: int,
    metagraph: Any,
    uids: list[int],
    query: str,
) -> dict[int, float]:
    """One validation step: query ``uids``, score them, set weights; returns the scores."""
    responses = await query_all(dendrite, [metagraph.axons[uid] for uid in uids], query)
    scores = {uid: score(query, response) for uid, response in zip(uids, responses, strict=True)}
    if any(scores.values()):
        subtensor.set_weights(
            wallet=wallet, netuid=netuid, uids=list(scores), weights=list(scores.values())
        )
    return scores
