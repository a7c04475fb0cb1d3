"""The validator: each step reads the metagraph, queries every served miner over signed
httpx requests, scores the words that stream back, and sets weights once per epoch."""

import argparse
import asyncio

import bittensor as bt
import httpx

from btauth_subnet.protocol import HotkeyAuth, Query, read_words

CHALLENGE = "the quick brown fox jumps over the lazy dog"


class Validator:
    def __init__(self, config: argparse.Namespace) -> None:
        self.config = config
        self.wallet = bt.Wallet(config.wallet_name, config.wallet_hotkey, path=config.wallet_path)
        self.hotkey = self.wallet.hotkey.ss58_address
        self.scores: dict[int, float] = {}
        self.last_weights_block = 0

    async def score(self, http: httpx.AsyncClient, neuron: bt.MetagraphNeuron) -> float:
        """1.0 for the challenge's words in order, partial credit for a prefix, else 0."""
        words: list[str] = []
        try:
            async with http.stream(
                "POST",
                f"http://{neuron.axon}/query",
                json=Query(text=CHALLENGE).model_dump(),
                auth=HotkeyAuth(self.wallet, neuron.hotkey),
            ) as response:
                if response.status_code != 200:
                    return 0.0
                async for word in read_words(response):
                    words.append(word)
        except httpx.HTTPError:
            pass
        expected = CHALLENGE.split()
        if words == expected:
            return 1.0
        correct = len(words) if words == expected[: len(words)] else 0
        return 0.5 * correct / len(expected)

    async def step(self, client: bt.Client, http: httpx.AsyncClient) -> bt.ExtrinsicResult | None:
        """Query every served miner; set weights when an epoch has passed since the last."""
        metagraph = await client.subnets.metagraph(self.config.netuid)
        if metagraph is None:
            raise RuntimeError(f"subnet {self.config.netuid} does not exist")
        miners = [n for n in metagraph.neurons if n.axon and n.hotkey != self.hotkey]
        scores = await asyncio.gather(*(self.score(http, n) for n in miners))
        self.scores = {n.uid: s for n, s in zip(miners, scores, strict=True)}
        if metagraph.block - self.last_weights_block < self.config.epoch_length:
            return None
        if not any(self.scores.values()):
            return None
        result = await client.execute(
            bt.SetWeights(
                netuid=self.config.netuid,
                uids=list(self.scores),
                weights=list(self.scores.values()),
            ),
            self.wallet,
        )
        if result.success:
            self.last_weights_block = metagraph.block
        return result

    async def run(self, steps: int | None = None) -> None:
        """Step once per block with the validator's own chain and HTTP clients."""
        async with (
            bt.Client(self.config.network) as client,
            httpx.AsyncClient(timeout=self.config.timeout) as http,
        ):
            done = 0
            while True:
                await self.step(client, http)
                done += 1
                if steps is not None and done >= steps:
                    return
                await client.wait_for_block()
