"""Command-line configuration: every neuron takes its wallet, network and subnet from argv."""

import argparse
from typing import Optional


def parse(role: str, args: Optional[list] = None) -> argparse.Namespace:  # noqa: UP045
    """Parse ``args`` (default: the process's command line) for a ``role`` neuron."""
    parser = argparse.ArgumentParser(prog=f"btauth-subnet {role}")
    parser.add_argument("--netuid", type=int, default=1)
    parser.add_argument("--network", default="finney", help="finney, test, local or a ws:// URL")
    parser.add_argument("--wallet.name", dest="wallet_name", default="default")
    parser.add_argument("--wallet.hotkey", dest="wallet_hotkey", default="default")
    parser.add_argument("--wallet.path", dest="wallet_path", default="~/.bittensor/wallets")
    if role == "miner":
        parser.add_argument("--axon.ip", dest="axon_ip", default="0.0.0.0")
        parser.add_argument("--axon.external_ip", dest="external_ip", default=None)
        parser.add_argument("--axon.port", dest="axon_port", type=int, default=8091)
    else:
        parser.add_argument("--neuron.timeout", dest="timeout", type=float, default=12.0)
        parser.add_argument("--neuron.epoch_length", dest="epoch_length", type=int, default=100)
    return parser.parse_args(args)
