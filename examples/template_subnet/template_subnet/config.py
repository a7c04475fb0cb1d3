"""Command-line configuration, as the subnet template builds it."""

import argparse
import os
from typing import Optional

import bittensor as bt

# bittensor 10.x skips command-line parsing in bt.Config unless this is "false" (9.x
# always parses); subnets on 10.x set it before building their config, as here.
os.environ.setdefault("BT_NO_PARSE_CLI_ARGS", "false")


def add_args(cls: type, parser: argparse.ArgumentParser) -> None:
    """The options every neuron takes."""
    parser.add_argument("--netuid", type=int, default=1, help="Subnet netuid")
    parser.add_argument("--neuron.name", type=str, default=cls.neuron_type, help="Log folder")
    parser.add_argument(
        "--neuron.epoch_length", type=int, default=100, help="Blocks between weight updates"
    )
    parser.add_argument("--neuron.sample_size", type=int, default=50, help="Miners per step")
    parser.add_argument(
        "--neuron.step_seconds", type=float, default=1.0, help="Validator pause between steps"
    )
    parser.add_argument(
        "--neuron.timeout", type=float, default=5.0, help="Seconds a miner has to answer"
    )
    parser.add_argument(
        "--neuron.moving_average_alpha", type=float, default=0.1, help="Score smoothing"
    )
    parser.add_argument("--neuron.axon_off", action="store_true", default=False)
    parser.add_argument("--blacklist.force_validator_permit", action="store_true", default=False)


def config(cls: type, args: Optional[list] = None) -> "bt.Config":  # noqa: UP045
    """Parse ``args`` (default: the process's command line) into a bittensor Config."""
    parser = argparse.ArgumentParser()
    bt.Wallet.add_args(parser)
    bt.Subtensor.add_args(parser)
    bt.Axon.add_args(parser)
    bt.logging.add_args(parser)
    cls.add_args(parser)
    return bt.Config(parser, args=args)


def check_config(config: "bt.Config") -> None:
    """Create the neuron's log folder under ~/.bittensor, as the template does."""
    full_path = os.path.expanduser(
        f"~/.bittensor/neurons/{config.wallet.name}/{config.wallet.hotkey}/"
        f"netuid{config.netuid}/{config.neuron.name}"
    )
    config.neuron.full_path = full_path
    os.makedirs(full_path, exist_ok=True)
