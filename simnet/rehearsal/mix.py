"""Which strategies a rehearsal runs, and how many neurons each: names, checks, parsing."""

from __future__ import annotations

from collections.abc import Mapping

from simnet.rehearsal import miners, validators

HONEST = "honest"
"""The subnet's own miner, unchanged."""
VALIDATOR = "validator"
"""The subnet's own validator, unchanged."""
SYBIL = "sybil"
"""The subnet's own miner under several hotkeys of one coldkey."""

ADVERSARIAL_MINERS: dict[str, type[miners.AdversarialMiner]] = {
    cls.strategy: cls
    for cls in (
        miners.Copier,
        miners.Replayer,
        miners.LastSecond,
        miners.Empty,
        miners.Garbage,
        miners.Oversized,
        miners.ValidatorDetector,
    )
}
ADVERSARIAL_VALIDATORS: dict[str, type[validators.AdversarialValidator]] = {
    cls.strategy: cls for cls in (validators.WeightCopier, validators.Lazy, validators.Stale)
}
MINER_STRATEGIES = (HONEST, SYBIL, *ADVERSARIAL_MINERS)
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


def check_miners(mix: Mapping[str, int]) -> dict[str, int]:
    """``mix`` checked: known miner strategies, positive counts, at least one honest miner."""
    _check(mix, MINER_STRATEGIES, "miner")
    if not mix.get(HONEST):
        raise RehearsalError(
            f"the miner mix {_show(mix)} has no honest miner: a rehearsal measures strategies "
            f"against the subnet's own miner (add {HONEST}=N)"
        )
    return dict(mix)


def check_validators(mix: Mapping[str, int]) -> dict[str, int]:
    """``mix`` checked: known validator strategies, at least one of the subnet's own."""
    _check(mix, VALIDATOR_STRATEGIES, "validator")
    if not mix.get(VALIDATOR):
        raise RehearsalError(
            f"the validator mix {_show(mix)} has none of the subnet's own validators "
            f"(add {VALIDATOR}=N)"
        )
    return dict(mix)


def _check(mix: Mapping[str, int], known: tuple[str, ...], role: str) -> None:
    for name, count in mix.items():
        if name not in known:
            raise RehearsalError(
                f"unknown {role} strategy {name!r}; {role} strategies: {', '.join(known)}"
            )
        if not isinstance(count, int) or count < 0:
            raise RehearsalError(f"{role} strategy {name!r}: count={count!r} must be 0 or more")


def _show(mix: Mapping[str, int]) -> str:
    return ",".join(f"{name}={count}" for name, count in mix.items()) or "(empty)"
