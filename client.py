"""The reference streaming client: the tutorial's client, made correct.

Run it against a real chain as in the tutorial::

    python client.py --netuid 8 --my_uid 1 --network test
"""

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any

import bittensor as bt

from protocol import StreamPrompting

DEFAULT_PROMPT = (
    "hello this is a test of a streaming response. Lorem ipsum dolor sit amet, "
    "consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore "
    "magna aliqua."
)


def print_text(text: str) -> None:
    """Print streamed text as it arrives."""
    print(text, end="", flush=True)


async def stream_prompt(
    dendrite: Any,
    axon: Any,
    prompt: str = DEFAULT_PROMPT,
    *,
    roles: Sequence[str] = ("user",),
    timeout: float = 12.0,
    on_text: Callable[[str], None] = print_text,
) -> StreamPrompting:
    """Stream ``prompt``'s completion from ``axon``, calling ``on_text`` for each piece.

    Returns the final synapse: ``completion`` holds the whole text and
    ``dendrite.status_code`` / ``dendrite.status_message`` say how the request ended.
    """
    synapse = StreamPrompting(roles=list(roles), messages=[prompt])
    responses = await dendrite([axon], synapse, deserialize=False, streaming=True, timeout=timeout)
    final: StreamPrompting | None = None
    async for item in responses[0]:
        if isinstance(item, StreamPrompting):
            final = item
        else:
            on_text(item)
    if final is None:
        raise RuntimeError("the dendrite's stream ended without the final synapse")
    return final


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The tutorial's flags."""
    parser = argparse.ArgumentParser(description="Reference streaming client")
    parser.add_argument("--netuid", type=int, required=True)
    parser.add_argument("--my_uid", type=int, required=True, help="uid of the miner to query")
    parser.add_argument("--network", default="finney")
    parser.add_argument("--wallet.name", dest="wallet_name", default="default")
    parser.add_argument("--wallet.hotkey", dest="wallet_hotkey", default="default")
    parser.add_argument("--prompt", default=DEFAULT_PROMPT)
    parser.add_argument(
        "--simnet.state", dest="state", help="chain state file of the simnet network"
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> StreamPrompting:
    """Query uid ``--my_uid`` on a real chain and print the stream."""
    wallet = bt.Wallet(name=args.wallet_name, hotkey=args.wallet_hotkey)
    metagraph = bt.Subtensor(network=args.network).metagraph(args.netuid)
    async with bt.Dendrite(wallet=wallet) as dendrite:
        final = await stream_prompt(dendrite, metagraph.axons[args.my_uid], args.prompt)
    print()
    return final


async def run_on_simnet(args: argparse.Namespace) -> StreamPrompting:
    """Query uid ``--my_uid`` on simnet's local network (offline) and print the stream."""
    import simnet
    from simnet.local import LocalNetwork

    with simnet.offline():
        local = LocalNetwork(args.state, create=False)
        axon = local.axon_of(args.netuid, args.my_uid)
        wallet = local.wallet(args.wallet_name, args.wallet_hotkey)
        async with bt.Dendrite(wallet=wallet) as dendrite:
            final = await stream_prompt(dendrite, axon, args.prompt)
    print()
    return final


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exits non-zero when the miner did not answer with status 200."""
    args = parse_args(argv)
    try:
        final = asyncio.run(run_on_simnet(args) if args.network == "simnet" else run(args))
    except Exception as exc:  # one clear line for the terminal, not a traceback
        print(f"client: {exc}", file=sys.stderr)
        return 2
    status, message = final.dendrite.status_code, final.dendrite.status_message
    if status == 503 and str(message).startswith("Service unavailable at"):
        print(
            f"client: the axon of uid {args.my_uid} is not reachable ({message}); "
            "is the miner running?",
            file=sys.stderr,
        )
        return 1
    if status != 200:
        print(f"client: error {status}: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
