"""Rehearsals of the example template subnet's own validator, unmodified, through Yuma."""

from __future__ import annotations

import io
import itertools
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from simnet import Rehearsal, RehearsalError, RehearsalReport
from simnet.rehearsal.chart import svg
from simnet.rehearsal.neurons import template_step
from simnet.rehearsal.progress import ProgressDisplay, epoch_line
from simnet.rehearsal.report import EpochRecord, Member
from simnet.rehearsal.table import plain
from tests.helpers import nothing_left_behind

TEMPLATE = Path(__file__).resolve().parents[1] / "examples" / "template_subnet"
VALIDATOR_ARGS = ["--neuron.epoch_length", "2", "--neuron.step_seconds", "0"]
EPOCHS = 3


@pytest.fixture(scope="module")
def template():
    """The example template subnet's Miner and Validator classes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(TEMPLATE))
        from neurons.miner import Miner
        from neurons.validator import Validator

        yield Miner, Validator


def options(template, miners, **more):
    """A rehearsal's keyword arguments: the template's classes, ``miners``, short epochs."""
    return {
        "miner": template[0],
        "validator": template[1],
        "miners": miners,
        "validator_args": VALIDATOR_ARGS,
        **more,
    }


@pytest.fixture(scope="module")
def report(template) -> RehearsalReport:
    """One rehearsal: every miner strategy but last-second, every validator strategy."""
    miner, validator = template
    seen = []
    plan = Rehearsal(
        miner=miner,
        validator=validator,
        miners={
            "honest": 2,
            "copier": 1,
            "replayer": 1,
            "empty": 1,
            "garbage": 1,
            "oversized": 1,
            "validator-detector": 1,
            "sybil": 2,
            "drip-feeder": 1,
        },
        validators={"validator": 1, "lazy": 1, "weight-copier": 1, "stale": 1},
        epochs=EPOCHS,
        tempo=5,
        validator_args=VALIDATOR_ARGS,
        progress=lambda report, total: seen.append((len(report.epochs), total)),
    )
    result = plan.run()
    assert seen == [(k, EPOCHS) for k in range(1, EPOCHS + 1)]
    return result


def test_the_rehearsal_runs_the_epochs_asked_for_and_records_each(report):
    assert [epoch.index for epoch in report.epochs] == [1, 2, 3]
    blocks = [epoch.block for epoch in report.epochs]
    assert [b - a for a, b in itertools.pairwise(blocks)] == [5, 5]
    assert report.findings == []


def test_exact_match_scoring_pays_a_copier_as_much_as_the_honest_miner(report):
    assert report.share("copier") == pytest.approx(report.share("honest"))
    assert report.share("copier") <= report.share("honest")
    assert report.share("honest") > 0


def test_wrong_empty_oversized_and_replayed_answers_earn_less_than_honest_ones(report):
    for strategy in ("empty", "garbage", "oversized"):
        assert report.share(strategy) == 0, strategy
    assert 0 <= report.share("replayer") < report.share("honest")


def test_a_drip_feeder_inside_the_timeout_is_paid_as_the_honest_miner(report):
    assert report.share("drip-feeder") == pytest.approx(report.share("honest"))


def test_a_last_second_miner_is_paid_as_the_honest_miner_and_holds_every_step(template):
    """The template's exact-match reward reads the answer only, never when it came: a miner
    holding it until 0.5 s before the validator's timeout (1 s here, ``--neuron.timeout``)
    is paid what the honest miner is, and each validator step waits the half second for
    it. (The default margin, 0.2 s, is inside on an idle machine; a loaded one can miss
    it.) Two epochs of two blocks: the first pays nobody, the second pays both."""
    steps: list[float] = []
    plan = Rehearsal(
        **options(
            template,
            {"honest": 1, "last-second": 1},
            epochs=2,
            tempo=2,
            validator_args=[*VALIDATOR_ARGS, "--neuron.timeout", "1"],
            options={"last-second": {"margin": 0.5}},
        )
    )

    def timed(validator):
        started = time.monotonic()
        template_step(validator)
        steps.append(time.monotonic() - started)

    plan.step = timed
    report = plan.run()
    assert report.share("last-second") == pytest.approx(report.share("honest"))
    assert report.share("last-second") > 0
    assert min(steps) >= 0.5


def test_a_miner_answering_only_permit_holders_well_goes_unnoticed(report):
    assert report.share("validator-detector") == pytest.approx(report.share("honest"))


def test_a_sybil_group_earns_per_hotkey_what_an_honest_miner_does_under_one_coldkey(report):
    sybils = [m for m in report.members if m.strategy == "sybil"]
    assert len({m.coldkey for m in sybils}) == 1
    assert len({m.hotkey for m in sybils}) == 2
    assert report.share("sybil") == pytest.approx(report.share("honest"))
    assert report.share("sybil", per="group") == pytest.approx(2 * report.share("sybil"))


def test_validator_shares_are_dividends_and_a_lazy_validator_is_still_paid(report):
    assert report.role("lazy") == "validator"
    shares = [report.share(s) for s in ("validator", "lazy", "weight-copier", "stale")]
    assert sum(shares) == pytest.approx(1.0)
    assert report.share("lazy", measure="dividends") > 0
    assert report.share("weight-copier") < report.share("validator")


def test_per_epoch_shares_are_none_where_the_role_was_paid_nothing(report):
    honest = report.shares("honest")
    assert len(honest) == EPOCHS
    assert all(share is None or 0 <= share <= 1 for share in honest)
    assert report.share("honest", epoch=EPOCHS) == honest[-1]


def test_an_unknown_strategy_name_is_a_key_error_naming_those_played(report):
    with pytest.raises(KeyError, match=r"no strategy 'nope'.*honest"):
        report.share("nope")


def test_the_json_report_holds_shares_per_strategy_and_epoch(report, tmp_path):
    data = json.loads(report.write_json(tmp_path / "report.json").read_text())
    assert data["epochs"] == EPOCHS
    copier = data["strategies"]["copier"]
    assert copier["role"] == "miner"
    assert copier["share"] == report.share("copier")
    assert len(copier["per_epoch"]["emission"]) == EPOCHS
    assert "dividends_share" in data["strategies"]["validator"]
    assert len(data["epoch_records"]) == EPOCHS


def test_the_chart_is_one_svg_with_a_line_per_strategy(report):
    root = ET.fromstring(svg(report))
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == len(report.strategies)
    assert all(len(line.get("points", "").split()) == EPOCHS for line in lines)


def test_the_plain_table_has_a_row_per_strategy(report):
    lines = plain(report).splitlines()
    assert lines[0].split()[:3] == ["strategy", "role", "uids"]
    assert [line.split()[0] for line in lines[1:]] == report.strategies


def _small_report() -> RehearsalReport:
    members = [Member("honest", "miner", 1, "h1", "c1"), Member("copier", "miner", 2, "h2", "c2")]
    report = RehearsalReport(netuid=1, tempo=5, members=members)
    report.epochs.append(EpochRecord(1, 5, {1: 3, 2: 1}, {1: 3, 2: 1}, {}))
    return report


def test_progress_in_ci_logs_is_one_plain_line_per_epoch(monkeypatch):
    monkeypatch.setenv("CI", "true")
    out = io.StringIO()
    with ProgressDisplay(out) as show:
        show(_small_report(), 4)
    assert out.getvalue() == "rehearse: epoch 1/4: honest 75.0%, copier 25.0%\n"
    assert epoch_line(_small_report(), 4) == out.getvalue().strip()


@pytest.mark.parametrize(
    ("miners", "validators", "message"),
    [
        ({"honest": 1, "cheat": 1}, {"validator": 1}, "unknown miner strategy 'cheat'"),
        ({"copier": 2}, {"validator": 1}, "has no honest miner"),
        ({"honest": 1}, {"lazy": 1}, "none of the subnet's own validators"),
        ({"honest": 1}, {"validator": 1, "copier": 1}, "unknown validator strategy 'copier'"),
        ({"honest": -1}, {"validator": 1}, "count=-1 must be 0 or more"),
    ],
)
def test_a_mix_that_cannot_rehearse_is_refused_in_one_line(template, miners, validators, message):
    with pytest.raises(RehearsalError, match=message) as caught:
        Rehearsal(miner=template[0], validator=template[1], miners=miners, validators=validators)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"honest": {}}, "options for 'honest': not an adversarial miner strategy"),
        ({"garbage": {"colour": 1}}, "options for 'garbage': .*unexpected keyword argument"),
    ],
)
def test_options_an_adversary_cannot_take_are_refused_in_one_line(template, given, message):
    plan = options(template, {"honest": 1, "garbage": 1}, epochs=1, tempo=2, options=given)
    with pytest.raises(RehearsalError, match=message) as caught:
        Rehearsal(**plan).run()
    assert "\n" not in str(caught.value)


def test_a_validator_that_never_sets_weights_is_reported_as_a_finding(template, simnet_rehearse):
    never = ["--neuron.epoch_length", "1000", "--neuron.step_seconds", "0"]
    report = simnet_rehearse(
        **options(template, {"honest": 1}, epochs=1, tempo=3, validator_args=never)
    )
    assert report.findings == [
        "validator uid 0 (validator) never set weights in 1 epochs of 3 blocks"
    ]
    assert report.share("honest") == 0.0


def test_a_rehearsal_on_its_own_network_leaves_nothing_behind(template):
    with nothing_left_behind():
        report = Rehearsal(**options(template, {"honest": 1, "copier": 1}, epochs=1, tempo=3)).run()
    assert len(report.epochs) == 1


def test_miners_answering_permit_holders_only_leave_a_copier_nothing_to_copy(
    template, simnet_rehearse
):
    permit_only = ["--blacklist.force_validator_permit"]
    report = simnet_rehearse(
        **options(template, {"honest": 2, "copier": 1}, epochs=2, tempo=4, miner_args=permit_only)
    )
    assert report.share("honest") > 0
    assert report.share("copier") == 0


def test_a_validator_can_step_once_every_few_blocks(template, tmp_path):
    report = Rehearsal(
        **options(template, {"honest": 2}, epochs=2, tempo=4, blocks_per_step=4)
    ).run()
    assert [b.block - a.block for a, b in itertools.pairwise(report.epochs)] == [4]
    assert report.share("honest") == pytest.approx(0.5)
    assert report.write_chart(tmp_path / "chart.svg").read_text().startswith("<svg")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_in_a_terminal_is_a_live_table_of_the_current_shares(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    out = _Terminal()
    with ProgressDisplay(out) as show:
        assert not show.plain
        show(_small_report(), 4)
    assert "epoch 1 of 4" in out.getvalue()
    assert "75.0%" in out.getvalue()


def test_command_line_options_read_as_keyword_arguments_per_strategy():
    from simnet.rehearsal.mix import parse_options

    given = ["last-second.margin=0.5", "last-second.timeout=12", "garbage.seed=3"]
    assert parse_options(given) == {
        "last-second": {"margin": 0.5, "timeout": 12},
        "garbage": {"seed": 3},
    }
    with pytest.raises(RehearsalError, match=r"expected STRATEGY\.NAME=VALUE") as caught:
        parse_options(["margin=0.5"])
    assert "\n" not in str(caught.value)
