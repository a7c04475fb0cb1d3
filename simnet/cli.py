"""The ``simnet`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simnet`` command."""
    args = _build_parser().parse_args(argv)
    console = Console(highlight=False)
    if args.command == "demo":
        from simnet._demo import demo

        options: dict[str, object] = {
            "netuid": args.netuid,
            "tokens_per_send": args.tokens_per_send,
            "token_delay": args.token_delay,
            "subnet_dir": args.subnet,
        }
        if args.prompt is not None:
            options["prompt"] = args.prompt
        try:
            return demo(console, **options)
        except (FileNotFoundError, ImportError, ValueError) as exc:
            console.print(f"[red]simnet demo: {exc}[/]")
            return 2
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
