"""The btauth example's own neurons as a rehearsal takes them on bittensor 11: built from
their command lines given a wallet, and one validator step (``simnet rehearse --miner
tests/v11/btauth_neurons.py:miner ...``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "btauth_subnet"
if str(EXAMPLE) not in sys.path:
    sys.path.insert(0, str(EXAMPLE))

from btauth_subnet.config import parse  # noqa: E402
from btauth_subnet.miner import Miner  # noqa: E402
from btauth_subnet.validator import Validator  # noqa: E402

TIMEOUT = 1.5
"""The validator's timeout, seconds (what a last-second miner is told)."""


def argv(wallet: Any, *extra: str) -> list[str]:
    return [
        "--netuid",
        "1",
        "--network",
        "local",
        "--wallet.name",
        wallet.name,
        "--wallet.hotkey",
        wallet.hotkey_str,
        "--wallet.path",
        wallet.path,
        *extra,
    ]


def miner(wallet: Any) -> Miner:
    return Miner(parse("miner", argv(wallet)))


def validator(wallet: Any) -> Validator:
    extra = ("--neuron.epoch_length", "2", "--neuron.timeout", str(TIMEOUT))
    return Validator(parse("validator", argv(wallet, *extra)))


def step(validator: Validator) -> Any:
    return validator.run(steps=1)
