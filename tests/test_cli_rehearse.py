"""``simnet rehearse`` on the example template subnet, as a CI job runs it."""

import json
from pathlib import Path

from tests.helpers import simnet_command
from tests.in_process import simnet_in_process

TEMPLATE = Path(__file__).resolve().parents[1] / "examples" / "template_subnet"
CLASSES = ("--miner", "neurons.miner:Miner", "--validator", "neurons.validator:Validator")


def test_rehearse_prints_progress_lines_a_table_and_writes_json_and_a_chart(tmp_path):
    result = simnet_command(
        "rehearse",
        *CLASSES,
        "--mix", "honest=2,copier=1",
        "--epochs", "2",
        "--tempo", "4",
        "--validator-args", "--neuron.epoch_length 1 --neuron.step_seconds 0",
        "--json", str(tmp_path / "report.json"),
        "--chart", str(tmp_path / "chart.svg"),
        cwd=TEMPLATE,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("rehearse: epoch 1/2: validator ")
    assert lines[1].startswith("rehearse: epoch 2/2: ")
    assert [line.split()[0] for line in lines[3:6]] == ["validator", "honest", "copier"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report["strategies"]) == {"validator", "honest", "copier"}
    assert (tmp_path / "chart.svg").read_text().startswith("<svg")


def test_rehearse_refuses_a_mix_without_an_honest_miner_in_one_line():
    result = simnet_in_process("rehearse", *CLASSES, "--mix", "copier=2", cwd=TEMPLATE)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "simnet rehearse: the miner mix copier=2 has no honest miner: a rehearsal measures "
        "strategies against the subnet's own miner (add honest=N)"
    ]


def test_rehearse_refuses_an_unknown_strategy_or_class_in_one_line():
    unknown = simnet_in_process("rehearse", *CLASSES, "--mix", "honest=1,cheat=1", cwd=TEMPLATE)
    assert unknown.returncode == 2
    assert "unknown miner strategy 'cheat'" in unknown.stderr
    missing = simnet_in_process(
        "rehearse", "--miner", "neurons.miner:Nope", "--validator", "x:Y", cwd=TEMPLATE
    )
    assert missing.returncode == 2
    assert len(missing.stderr.strip().splitlines()) == 1
