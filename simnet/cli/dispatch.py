"""The ``simnet`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from simnet.cli.rehearse import add_parser as add_rehearse
from simnet.network.transports import TRANSPORTS, parse_transport
from simnet.wire.blocking import DEFAULT_BLOCKING_THRESHOLD, parse_threshold


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simnet", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="stream from the reference miner to the reference client, offline"
    )
    demo.add_argument("--prompt", help="the prompt to send (default: a short multilingual text)")
    demo.add_argument("--netuid", type=int, default=8)
    demo.add_argument("--tokens-per-send", type=int, default=3)
    demo.add_argument("--token-delay", type=float, default=0.03, help="seconds between sends")
    demo.add_argument("--subnet", type=Path, help="directory with protocol.py, miner.py, client.py")
    demo.add_argument(
        "--transport",
        choices=TRANSPORTS,
        default="tcp",
        help="how the dendrite reaches the axon: tcp on 127.0.0.1 (default) or memory (no socket)",
    )
    fuzz = commands.add_parser(
        "fuzz",
        help="check a StreamingSynapse class, or a streaming reader (a function taking an "
        "httpx or aiohttp response), against simnet's ready-made properties",
    )
    fuzz.add_argument(
        "target", help="package.module:Name or path/to/file.py:Name (a class or a reader)"
    )
    fuzz.add_argument(
        "--client",
        choices=["httpx", "aiohttp"],
        help="the response type a reader takes (default: its annotation, else httpx)",
    )
    fuzz.add_argument(
        "--body", type=Path, action="append", default=[], help="a sample stream body (repeatable)"
    )
    fuzz.add_argument("--miner", help="MODULE:FUNC, a forward function whose stream to sample")
    fuzz.add_argument("--examples", type=_positive_int, help="examples per property")
    fuzz.add_argument("--seed", type=int, help="make the run reproducible")
    fuzz.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="pin a synapse field to a JSON value (repeatable)",
    )
    fuzz.add_argument(
        "--synapse", metavar="JSON|@FILE", help="fuzz with this one synapse (a JSON object)"
    )
    fuzz.add_argument(
        "--synapse-factory",
        metavar="MODULE:FUNC",
        help="the validator's own synapse builder (no argument, or a random.Random): the "
        "only synapses fuzzed",
    )
    fuzz.add_argument(
        "--consumer",
        metavar="MODULE:FUNC",
        help="the function the validator folds the yields with: chunking invariance and "
        "error bodies are judged on what it returns",
    )
    fuzz.add_argument(
        "--round-trip",
        metavar="MODULE:FUNC",
        help="also check that what a miner streams is what the validator ends with: FUNC "
        "maps a body to that (the consumer's result, or a dict of fields)",
    )
    fuzz.add_argument(
        "--yields",
        action="store_true",
        help="also check what process_streaming_response yields (for clients that consume it)",
    )
    state_help = "chain state file (default: $SIMNET_STATE or ~/.cache/simnet/chain.sqlite)"
    add_rehearse(commands)
    status = commands.add_parser("status", help="show the local chain state's subnets")
    status.add_argument("--netuid", type=int)
    status.add_argument("--state", type=Path, help=state_help)
    register = commands.add_parser("register", help="register a neuron on the local chain")
    register.add_argument("name", nargs="?", help="wallet name (created if missing)")
    register.add_argument("--netuid", type=int, required=True)
    register.add_argument("--hotkey", default="default", help="wallet hotkey name")
    register.add_argument("--ss58", help="register this hotkey address instead of a wallet")
    register.add_argument("--stake", type=float, default=0.0)
    register.add_argument("--validator", action="store_true", help="give a validator permit")
    register.add_argument("--state", type=Path, help=state_help)
    epoch = commands.add_parser(
        "epoch", help="run a subnet's epoch now (Yuma consensus over the weights set so far)"
    )
    epoch.add_argument("--netuid", type=int, required=True)
    epoch.add_argument("--state", type=Path, help=state_help)
    reset = commands.add_parser("reset", help="delete the local chain state")
    reset.add_argument("--state", type=Path, help=state_help)
    run = commands.add_parser(
        "run",
        help="run a neuron script unmodified on the local chain: simnet run -- python "
        "neurons/miner.py --netuid 1 --subtensor.network simnet ...",
    )
    run.add_argument("--state", type=Path, help=state_help)
    run.add_argument(
        "--block-seconds",
        type=_positive_float,
        help="seconds per block of the shared chain (default: the state's, 12 when new)",
    )
    run.add_argument(
        "--blocking-threshold",
        type=_threshold,
        default=DEFAULT_BLOCKING_THRESHOLD,
        metavar="SECONDS|off",
        help="report a callback that holds the neuron's main event loop or its axons' loop "
        "longer than this (default 0.2; each place once, a summary at exit); off: never",
    )
    run.add_argument(
        "--outside",
        type=Path,
        metavar="FILE",
        help="a stubs file (outside.toml): the outside hosts the neuron may reach, answered "
        "on loopback (HTTP and HTTPS; aiohttp, httpx and requests alike); or a cassette, "
        "or a folder of them (simnet record), replayed",
    )
    run.add_argument("program", nargs=argparse.REMAINDER, help="-- python SCRIPT.py ARGS...")
    record = commands.add_parser(
        "record",
        help="run a neuron script online, once, recording its HTTP exchanges with outside "
        "hosts as a cassette that simnet run --outside DIR replays offline",
    )
    record.add_argument(
        "--cassettes", type=Path, default=Path("cassettes"), help="folder (default: cassettes)"
    )
    record.add_argument(
        "--scrub",
        action="append",
        default=[],
        metavar="NAME",
        help="another header or query parameter to scrub (authorization, cookies, api keys "
        "and tokens always are); repeatable",
    )
    record.add_argument("program", nargs=argparse.REMAINDER, help="-- python SCRIPT.py ARGS...")
    return parser


def _local(console: Console, args: argparse.Namespace) -> int:
    from simnet.chain.rules import ChainRuleError
    from simnet.chain.state import ChainStateError
    from simnet.cli import chain as chain_commands
    from simnet.network.local import LocalError

    try:
        if args.command == "status":
            return chain_commands.status(console, args.state, args.netuid)
        if args.command == "register":
            return chain_commands.register(
                console,
                args.state,
                args.netuid,
                args.name,
                args.hotkey,
                args.ss58,
                args.stake,
                args.validator,
            )
        if args.command == "epoch":
            return chain_commands.epoch(console, args.state, args.netuid)
        return chain_commands.reset(console, args.state)
    except (ChainStateError, ChainRuleError, LocalError, LookupError, ValueError) as exc:
        console.print(f"[red]simnet {args.command}: {exc}[/]", soft_wrap=True)
        return 1


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value} must be positive")
    return value


def _threshold(text: str) -> float | None:
    try:
        return parse_threshold(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simnet`` command."""
    from simnet._release import WrongStack

    args = _build_parser().parse_args(argv)
    try:
        return _run(args)
    except WrongStack as exc:  # the command needs the other bittensor stack
        Console(stderr=True, soft_wrap=True).print(
            f"simnet {args.command}: {exc}", style="red", markup=False, highlight=False
        )
        return 2


def _run(args: argparse.Namespace) -> int:
    # Off a terminal (CI logs, pipes) rich would wrap at 80 columns, mid-path or mid-token:
    # lines are not wrapped there, and tables get room for whole hotkeys.
    terminal = Console().is_terminal
    console = Console(highlight=False, soft_wrap=not terminal, width=None if terminal else 200)
    if args.command == "demo":
        from simnet.cli.demo import demo

        options: dict[str, object] = {
            "netuid": args.netuid,
            "tokens_per_send": args.tokens_per_send,
            "token_delay": args.token_delay,
            "subnet_dir": args.subnet,
            "transport": parse_transport(args.transport),
        }
        if args.prompt is not None:
            options["prompt"] = args.prompt
        try:
            return demo(console, **options)
        except (FileNotFoundError, ImportError, ValueError) as exc:
            console.print(f"[red]simnet demo: {exc}[/]")
            return 2
    if args.command in ("status", "register", "epoch", "reset"):
        return _local(console, args)
    if args.command == "record":
        from simnet.cli.run import record

        return record(args.program, args.cassettes, args.scrub)
    if args.command == "run":
        from simnet.cli.run import run

        return run(
            args.program, args.state, args.block_seconds, args.blocking_threshold, args.outside
        )
    if args.command == "rehearse":
        from simnet.cli.rehearse import rehearse

        return rehearse(args)
    if args.command == "fuzz":
        from simnet.cli.fuzz import fuzz

        return fuzz(
            console,
            args.target,
            bodies=args.body,
            miner=args.miner,
            examples=args.examples,
            seed=args.seed,
            fields=args.field,
            synapse=args.synapse,
            synapse_factory=args.synapse_factory,
            consumer=args.consumer,
            round_trip=args.round_trip,
            yields=args.yields,
            client=args.client,
        )
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
