"""Rehearsals on bittensor 11: the btauth example's own miner app and validator, unmodified,
through Yuma epochs against the 11.x adversarial miners and validators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simnet import Rehearsal, RehearsalError, RehearsalReport

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "btauth_subnet"


@pytest.fixture(scope="module")
def btauth() -> Any:
    """The btauth example's config parser, Miner and Validator."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(EXAMPLE))
        from btauth_subnet.config import parse
        from btauth_subnet.miner import Miner
        from btauth_subnet.validator import Validator

        yield parse, Miner, Validator


def options(btauth: Any, miners: dict[str, int], **more: Any) -> dict[str, Any]:
    """A rehearsal's keyword arguments: the example's neurons built from their command
    lines, one validator step a block, short epochs."""
    parse, miner, validator = btauth

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

    return {
        "miner": lambda wallet: miner(parse("miner", argv(wallet))),
        "validator": lambda wallet: validator(
            parse(
                "validator", argv(wallet, "--neuron.epoch_length", "2", "--neuron.timeout", "1.5")
            )
        ),
        "step": lambda v: v.run(steps=1),
        "miners": miners,
        "options": {"last-second": {"timeout": 1.5, "margin": 0.5}},
        "epochs": 3,
        "tempo": 3,
        **more,
    }


@pytest.fixture(scope="module")
def report(btauth: Any) -> RehearsalReport:
    return Rehearsal(
        **options(
            btauth,
            {
                "honest": 2,
                "copier": 1,
                "replayer": 1,
                "last-second": 1,
                "empty": 1,
                "garbage": 1,
                "oversized": 1,
                "validator-detector": 1,
                "sybil": 2,
                "drip-feeder": 1,
            },
            validators={"validator": 1, "lazy": 1, "weight-copier": 1},
        )
    ).run()


def test_an_11x_validator_runs_through_the_epochs_asked_for(report: RehearsalReport) -> None:
    assert len(report.epochs) == 3
    assert report.share("honest") > 0
    assert not report.findings


def test_the_examples_fixed_challenge_pays_copiers_replayers_and_the_late_as_honest(
    report: RehearsalReport,
) -> None:
    honest = report.share("honest")
    for strategy in (
        "copier",
        "replayer",
        "last-second",
        "validator-detector",
        "sybil",
        "drip-feeder",
    ):
        assert report.share(strategy) == pytest.approx(honest), strategy


def test_nothing_garbage_and_oversized_earn_less_than_honest_answers(
    report: RehearsalReport,
) -> None:
    for strategy in ("empty", "garbage", "oversized"):
        assert report.share(strategy) < report.share("honest"), strategy


def test_adversarial_validators_set_weights_through_the_sdk(report: RehearsalReport) -> None:
    assert report.share("lazy", measure="dividends") > 0
    assert report.share("weight-copier", measure="dividends") > 0


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ({"step": None}, "needs step="),
        ({"options": {}}, "last-second on bittensor 11 needs the validator's timeout"),
        ({"options": {"last-second": {"timeout": 1, "nope": 2}}}, "options for 'last-second'"),
        ({"options": {"honest": {}}}, "not an adversarial miner strategy"),
    ],
)
def test_what_an_11x_rehearsal_needs_is_asked_for_in_one_line(
    btauth: Any, more: dict[str, Any], message: str
) -> None:
    with pytest.raises(RehearsalError, match=message) as error:
        Rehearsal(**options(btauth, {"honest": 1, "last-second": 1}, **more)).run()
    assert "\n" not in str(error.value)


def test_the_fixture_rehearses_on_the_tests_own_network(
    btauth: Any, simnet_v11: Any, simnet_v11_rehearse: Any
) -> None:
    report = simnet_v11_rehearse(**options(btauth, {"honest": 1, "garbage": 1}, epochs=2))
    assert report.share("garbage") == 0 < report.share("honest")
    assert len(simnet_v11.served) == 2


def test_an_11x_rehearsal_on_its_own_network_leaves_nothing_behind(btauth: Any) -> None:
    from tests.helpers import nothing_left_behind

    mix = {"honest": 1, "copier": 1, "validator-detector": 1}
    with nothing_left_behind():
        report = Rehearsal(**options(btauth, mix, epochs=1)).run()
    assert len(report.epochs) == 1
