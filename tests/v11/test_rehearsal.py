"""Rehearsals on bittensor 11: the btauth example's own miner app and validator, unmodified,
through Yuma epochs against the 11.x adversarial miners and validators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simnet import Rehearsal, RehearsalError, RehearsalReport
from tests.helpers import nothing_left_behind, simnet_command

from . import btauth_neurons

ROOT = Path(__file__).resolve().parents[2]
NEURONS = "tests/v11/btauth_neurons.py"


def options(miners: dict[str, int], **more: Any) -> dict[str, Any]:
    """A rehearsal's keyword arguments: the example's neurons, one validator step a block,
    short epochs."""
    return {
        "miner": btauth_neurons.miner,
        "validator": btauth_neurons.validator,
        "step": btauth_neurons.step,
        "miners": miners,
        "options": {"last-second": {"timeout": btauth_neurons.TIMEOUT, "margin": 0.5}},
        "epochs": 3,
        "tempo": 3,
        **more,
    }


@pytest.fixture(scope="module")
def report() -> RehearsalReport:
    return Rehearsal(
        **options(
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
    more: dict[str, Any], message: str
) -> None:
    with pytest.raises(RehearsalError, match=message) as error:
        Rehearsal(**options({"honest": 1, "last-second": 1}, **more)).run()
    assert "\n" not in str(error.value)


def test_the_fixture_rehearses_on_the_tests_own_network(
    simnet_v11: Any, simnet_v11_rehearse: Any
) -> None:
    report = simnet_v11_rehearse(**options({"honest": 1, "garbage": 1}, epochs=2))
    assert report.share("garbage") == 0 < report.share("honest")
    assert len(simnet_v11.served) == 2


def test_an_11x_rehearsal_on_its_own_network_leaves_nothing_behind() -> None:
    mix = {"honest": 1, "copier": 1, "validator-detector": 1}
    with nothing_left_behind():
        report = Rehearsal(**options(mix, epochs=1)).run()
    assert len(report.epochs) == 1


def test_an_11x_rehearsal_refused_by_the_chain_leaves_no_event_loop_behind() -> None:
    with nothing_left_behind(), pytest.raises(ValueError, match="tempo"):
        Rehearsal(**options({"honest": 1}, hyperparameters={"tempo": -1})).run()


def test_simnet_rehearse_runs_an_11x_subnet_from_its_functions_and_options() -> None:
    result = simnet_command(
        "rehearse",
        "--miner", f"{NEURONS}:miner",
        "--validator", f"{NEURONS}:validator",
        "--step", f"{NEURONS}:step",
        "--mix", "honest=1,last-second=1,garbage=1",
        "--option", f"last-second.timeout={btauth_neurons.TIMEOUT}",
        "--option", "last-second.margin=0.5",
        "--epochs", "2",
        "--tempo", "3",
        cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0] for line in result.stdout.splitlines()}
    assert {"honest", "last-second", "garbage"} <= rows


def test_simnet_rehearse_without_a_step_on_11x_is_one_line() -> None:
    result = simnet_command(
        "rehearse", "--miner", f"{NEURONS}:miner", "--validator", f"{NEURONS}:validator", cwd=ROOT
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "needs step=" in result.stderr
