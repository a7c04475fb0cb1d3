"""The reference streaming miner: the tutorial's miner, made correct.

* Its model is :class:`EchoModel`, a deterministic stand-in that needs no download.
* It sends ``tokens_per_send`` tokens per body message, always sends the last partial
  buffer, and never blocks the event loop (it awaits ``asyncio.sleep``, never
  ``time.sleep``).
* It blacklists hotkeys that are not in its metagraph and prioritises callers by stake.

Run it against a real chain as in the tutorial::

    python miner.py --netuid 8 --wallet.name default --wallet.hotkey miner \\
        --subtensor.network test --axon.port 10000

No ``from __future__ import annotations`` here: ``bittensor.Axon.attach`` reads the
handlers' annotations as real classes.
"""

import argparse
import asyncio
import re
import sys
import time
import typing
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import bittensor as bt

from protocol import StreamPrompting

Send = Callable[[dict[str, Any]], Awaitable[None]]


class EchoModel:
    """A deterministic 'language model' that answers a prompt with the prompt's own tokens.

    Tokens are runs of non-space characters with the whitespace before them, so the
    tokens always join back into the prompt exactly.
    """

    _TOKEN = re.compile(r"\s*\S+|\s+")

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    def tokens(self, prompt: str) -> list[str]:
        """The tokens of the answer to ``prompt``."""
        return self._TOKEN.findall(self.prefix + prompt)


class Miner:
    """Streams :class:`EchoModel` tokens for :class:`StreamPrompting` requests."""

    def __init__(
        self,
        wallet: Any,
        metagraph: Any,
        *,
        model: EchoModel | None = None,
        tokens_per_send: int = 3,
        token_delay: float = 0.0,
    ) -> None:
        if tokens_per_send < 1:
            raise ValueError(f"{tokens_per_send=} must be at least 1")
        if token_delay < 0:
            raise ValueError(f"{token_delay=} must not be negative")
        self.wallet = wallet
        self.metagraph = metagraph
        self.model = model or EchoModel()
        self.tokens_per_send = tokens_per_send
        self.token_delay = token_delay

    def forward(self, synapse: StreamPrompting) -> StreamPrompting.BTStreamingResponse:
        """Answer the first message of ``synapse`` as a token stream."""
        prompt = synapse.messages[0] if synapse.messages else ""
        tokens = self.model.tokens(prompt)
        return synapse.create_streaming_response(partial(self._stream, tokens))

    async def _stream(self, tokens: Sequence[str], send: Send) -> None:
        for start in range(0, len(tokens), self.tokens_per_send):
            if self.token_delay:
                await asyncio.sleep(self.token_delay)
            batch = "".join(tokens[start : start + self.tokens_per_send])
            await send(
                {"type": "http.response.body", "body": batch.encode("utf-8"), "more_body": True}
            )

    async def blacklist(self, synapse: StreamPrompting) -> typing.Tuple[bool, str]:  # noqa: UP006
        """Refuse callers whose hotkey is not registered in the metagraph."""
        hotkey = synapse.dendrite.hotkey if synapse.dendrite else None
        if hotkey not in self.metagraph.hotkeys:
            return True, f"hotkey {hotkey} is not registered on netuid {self.metagraph.netuid}"
        return False, "registered hotkey"

    async def priority(self, synapse: StreamPrompting) -> float:
        """Serve callers with more stake first."""
        hotkey = synapse.dendrite.hotkey if synapse.dendrite else None
        if hotkey not in self.metagraph.hotkeys:
            return 0.0
        return float(self.metagraph.S[self.metagraph.hotkeys.index(hotkey)])


def echo_forward(synapse: StreamPrompting) -> StreamPrompting.BTStreamingResponse:
    """The miner's forward with default settings, needing no wallet or metagraph.

    For sampling its stream:
    ``simnet fuzz protocol.py:StreamPrompting --miner miner.py:echo_forward``.
    """
    return Miner(None, None).forward(synapse)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The tutorial's flags."""
    parser = argparse.ArgumentParser(description="Reference streaming miner")
    parser.add_argument("--netuid", type=int, required=True)
    parser.add_argument("--wallet.name", dest="wallet_name", default="default")
    parser.add_argument("--wallet.hotkey", dest="wallet_hotkey", default="default")
    parser.add_argument("--subtensor.network", dest="network", default="finney")
    parser.add_argument("--axon.port", dest="axon_port", type=int, default=8091)
    parser.add_argument("--tokens-per-send", type=int, default=3)
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds between sends")
    parser.add_argument(
        "--simnet.state", dest="state", help="chain state file of the simnet network"
    )
    for level in ("debug", "trace", "info"):
        parser.add_argument(f"--logging.{level}", dest=f"logging_{level}", action="store_true")
    return parser.parse_args(argv)


def set_logging(args: argparse.Namespace) -> None:
    """Apply ``--logging.*`` flags to bittensor's logger."""
    if args.logging_trace:
        bt.logging.set_trace(True)
    elif args.logging_debug:
        bt.logging.set_debug(True)
    elif args.logging_info:
        bt.logging.set_info(True)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the miner: on a real chain (``--subtensor.network test`` or ``finney``), or
    offline on simnet's local network (``--subtensor.network simnet``)."""
    args = parse_args(argv)
    set_logging(args)
    if args.network == "simnet":
        return serve_on_simnet(args)
    wallet = bt.Wallet(name=args.wallet_name, hotkey=args.wallet_hotkey)
    subtensor = bt.Subtensor(network=args.network)
    metagraph = subtensor.metagraph(args.netuid)
    miner = Miner(wallet, metagraph, tokens_per_send=args.tokens_per_send)
    axon = bt.Axon(wallet=wallet, port=args.axon_port)
    axon.attach(forward_fn=miner.forward, blacklist_fn=miner.blacklist, priority_fn=miner.priority)
    axon.serve(netuid=args.netuid, subtensor=subtensor)
    axon.start()
    bt.logging.info(f"Serving {axon} on netuid {args.netuid}")
    try:
        while True:
            time.sleep(12)
            metagraph.sync(subtensor=subtensor)
    except KeyboardInterrupt:
        axon.stop()
    return 0


def serve_on_simnet(args: argparse.Namespace) -> int:
    """The tutorial's miner, offline: see ``simnet.local``."""
    from simnet.local import serve_forever

    def make_miner(ctx: Any) -> Miner:
        return Miner(
            ctx.wallet,
            ctx.metagraph,
            tokens_per_send=args.tokens_per_send,
            token_delay=args.token_delay,
        )

    try:
        serve_forever(
            args.netuid,
            args.wallet_name,
            args.wallet_hotkey,
            args.axon_port,
            make_miner,
            state=args.state,
            announce=lambda line: print(line, flush=True),
        )
    except Exception as exc:  # one clear line for the terminal, not a traceback
        print(f"miner: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
