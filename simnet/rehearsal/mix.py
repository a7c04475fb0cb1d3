"""Which strategies a rehearsal runs, and how many neurons each: names, checks, parsing."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

from simnet.rehearsal import validators

HONEST = "honest"
"""The subnet's own miner, unchanged."""
VALIDATOR = "validator"
"""The subnet's own validator, unchanged."""
SYBIL = "sybil"
"""The subnet's own miner under several hotkeys of one coldkey."""
DRIP_FEEDER = "drip-feeder"
"""The subnet's own miner, its responses sent a few bytes at a time (``run.DRIP``)."""
COPIER = "copier"
"""Asks other miners and answers with theirs (it needs its own client and the chain)."""
VALIDATOR_DETECTOR = "validator-detector"
"""Answers permit holders well (it reads the chain)."""
LAST_SECOND = "last-second"
"""Answers just inside the validator's timeout."""
ADVERSARIAL_MINERS = (
    COPIER,
    "replayer",
    LAST_SECOND,
    "empty",
    "garbage",
    "oversized",
    VALIDATOR_DETECTOR,
)
"""The adversarial miners' names, the same on both stacks (each stack's classes:
``simnet.rehearsal.miners`` and ``simnet.v11.adversaries``, ``ADVERSARIAL_MINERS``)."""
ADVERSARIAL_VALIDATORS = validators.ADVERSARIAL_VALIDATORS
MINER_STRATEGIES = (HONEST, SYBIL, DRIP_FEEDER, *ADVERSARIAL_MINERS)
VALIDATOR_STRATEGIES = (VALIDATOR, *ADVERSARIAL_VALIDATORS)


class RehearsalError(ValueError):
    """A rehearsal that cannot run as asked (one line saying why)."""


def parse(text: str) -> dict[str, int]:
    """``"honest=4,copier=2"`` as ``{"honest": 4, "copier": 2}`` (a bare name counts 1)."""
    mix: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, count = part.partition("=")
        try:
            mix[name.strip()] = int(count) if count else 1
        except ValueError:
            raise RehearsalError(f"{part!r}: expected NAME=COUNT, e.g. honest=4") from None
    return mix


_ROLES = {
    "miner": (
        MINER_STRATEGIES,
        HONEST,
        "has no honest miner: a rehearsal measures strategies against the subnet's own miner",
    ),
    "validator": (VALIDATOR_STRATEGIES, VALIDATOR, "has none of the subnet's own validators"),
}


def check(mix: Mapping[str, int], role: str) -> dict[str, int]:
    """``mix`` checked for ``role`` ("miner" or "validator"): known strategies, counts of 0
    or more, and at least one of the subnet's own neurons (``honest``, ``validator``)."""
    known, required, missing = _ROLES[role]
    for name, count in mix.items():
        if name not in known:
            raise RehearsalError(
                f"unknown {role} strategy {name!r}; {role} strategies: {', '.join(known)}"
            )
        if not isinstance(count, int) or count < 0:
            raise RehearsalError(f"{role} strategy {name!r}: count={count!r} must be 0 or more")
    if not mix.get(required):
        raise RehearsalError(f"the {role} mix {_show(mix)} {missing} (add {required}=N)")
    return dict(mix)


def parse_options(texts: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``["last-second.margin=0.5"]`` as ``{"last-second": {"margin": 0.5}}`` (a value
    is a Python literal where it reads as one, else the text)."""
    options: dict[str, dict[str, Any]] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        strategy, dot, name = key.strip().rpartition(".")
        if not sep or not dot or not strategy or not name:
            raise RehearsalError(
                f"{text!r}: expected STRATEGY.NAME=VALUE, e.g. last-second.margin=0.5"
            )
        try:
            parsed: Any = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            parsed = value.strip()
        options.setdefault(strategy, {})[name] = parsed
    return options


def check_options(
    options: Mapping[str, Mapping[str, Any]], miners: Mapping[str, int]
) -> dict[str, dict[str, Any]]:
    """``options`` checked: each names an adversarial miner strategy of the mix and maps
    keyword names to values."""
    for name, given in options.items():
        if name not in ADVERSARIAL_MINERS:
            raise RehearsalError(
                f"options for {name!r}: not an adversarial miner strategy; "
                f"those: {', '.join(ADVERSARIAL_MINERS)}"
            )
        if not isinstance(given, Mapping):
            raise RehearsalError(f"options for {name!r} must map keyword names to values")
    return {name: dict(given) for name, given in options.items()}


def _show(mix: Mapping[str, int]) -> str:
    return ",".join(f"{name}={count}" for name, count in mix.items()) or "(empty)"
