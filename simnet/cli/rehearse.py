"""``simnet rehearse``: the subnet's own validator against adversaries, through Yuma."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rehearse = commands.add_parser(
        "rehearse",
        help="run the subnet's own validator for K Yuma epochs against its honest miner and "
        "adversaries; report each strategy's share of emission",
    )
    rehearse.add_argument(
        "--miner",
        required=True,
        help="the miner class, package.module:Name or file.py:Name (bittensor 11: a "
        "function of the miner's wallet giving its app)",
    )
    rehearse.add_argument(
        "--validator",
        required=True,
        help="the validator class, likewise (bittensor 11: a function of its wallet)",
    )
    rehearse.add_argument(
        "--step",
        help="one validator step, a function of the validator, package.module:func "
        "(required on bittensor 11; default: one pass of the template's run loop)",
    )
    rehearse.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="STRATEGY.NAME=VALUE",
        help="a keyword argument of an adversarial miner, e.g. last-second.margin=0.5 (repeatable)",
    )
    rehearse.add_argument(
        "--mix", default="honest=4", help="miner strategies, e.g. honest=4,copier=2,sybil=3"
    )
    rehearse.add_argument(
        "--validators", default="validator=1", help="validator strategies, e.g. validator=1,lazy=1"
    )
    rehearse.add_argument("--epochs", type=int, default=5)
    rehearse.add_argument("--tempo", type=int, default=10, help="blocks per epoch")
    rehearse.add_argument(
        "--blocks-per-step", type=int, default=1, help="blocks between validator steps"
    )
    rehearse.add_argument("--netuid", type=int, default=1)
    rehearse.add_argument("--miner-args", default="", help="extra miner arguments (one string)")
    rehearse.add_argument(
        "--validator-args", default="", help="extra validator arguments (one string)"
    )
    rehearse.add_argument("--json", type=Path, help="write the report as JSON here")
    rehearse.add_argument("--chart", type=Path, help="write an SVG chart of shares here")


def rehearse(args: argparse.Namespace) -> int:
    """Run the rehearsal ``args`` describe; exit 2 on bad input, one line saying why."""
    from simnet.fuzz.targets import TargetError, load_object
    from simnet.rehearsal import mix
    from simnet.rehearsal.progress import ProgressDisplay
    from simnet.rehearsal.run import Rehearsal
    from simnet.rehearsal.table import show

    try:
        plan = Rehearsal(
            miner=load_object(args.miner, what="miner"),
            validator=load_object(args.validator, what="validator"),
            miners=mix.parse(args.mix),
            validators=mix.parse(args.validators),
            epochs=args.epochs,
            tempo=args.tempo,
            blocks_per_step=args.blocks_per_step,
            netuid=args.netuid,
            miner_args=shlex.split(args.miner_args),
            validator_args=shlex.split(args.validator_args),
            step=load_object(args.step, what="step") if args.step else None,
            options=mix.parse_options(args.option),
        )
        with ProgressDisplay(sys.stdout) as progress:
            plan.progress = progress
            report = plan.run()
    except (TargetError, mix.RehearsalError) as exc:
        print(f"simnet rehearse: {exc}", file=sys.stderr)
        return 2
    show(report, sys.stdout)
    if args.json:
        print(f"report: {report.write_json(args.json)}")
    if args.chart:
        print(f"chart: {report.write_chart(args.chart)}")
    return 0
