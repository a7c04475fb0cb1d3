"""`simnet run`: a neuron script, unmodified, on the shared chain state; bad input in one line."""

import subprocess
import sys
from pathlib import Path

import pytest

from simnet.chain.state import SCHEMA_VERSION, ChainState

SCRIPT = Path(__file__).parent / "specimens" / "neuron_script.py"


def _run(state, *command, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "simnet", "run", "--state", str(state), "--", *command],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_the_script_sees_its_own_argv_path_and_a_temporary_home(tmp_path):
    result = _run(tmp_path / "chain.sqlite", "python", str(SCRIPT), "argv", "--netuid", "1")
    assert result.returncode == 0, result.stderr
    assert f"argv ['{SCRIPT}', 'argv', '--netuid', '1']" in result.stdout
    assert f"path0 {SCRIPT.parent}" in result.stdout
    assert "home /" in result.stdout
    assert f"home {Path.home()}" not in result.stdout


def test_the_chain_is_the_shared_state_file(tmp_path):
    state = ChainState(tmp_path / "chain.sqlite")
    for name in ("a", "b", "c"):
        state.register(4, name, "ck")
    result = _run(tmp_path / "chain.sqlite", "python", str(SCRIPT), "metagraph", "4")
    assert result.returncode == 0, result.stderr
    assert "n 3" in result.stdout


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("metagraph", "9"), "simnet run: netuid 9 does not exist (subnets: none)"),
        (("delegates",), "simnet run: simnet does not simulate Subtensor.get_delegates"),
    ],
)
def test_simnets_refusals_are_one_line_and_exit_1(tmp_path, args, line):
    result = _run(tmp_path / "chain.sqlite", "python", str(SCRIPT), *args)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(line)
    assert "Traceback" not in result.stderr


def test_the_scripts_own_exit_status_and_errors_are_its_own(tmp_path):
    assert _run(tmp_path / "s.sqlite", "python", str(SCRIPT), "exit", "3").returncode == 3
    failed = _run(tmp_path / "s.sqlite", "python", str(SCRIPT), "raise")
    assert failed.returncode == 1
    assert "ValueError: the neuron's own bug" in failed.stderr


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (("python", "nowhere.py"), "simnet run: no script nowhere.py"),
        ((), "simnet run: give the neuron to run"),
        (("python", "-c"), "simnet run: -c needs the code to run"),
        (("python", "-X", "dev", "x.py"), "simnet run: python option -X is not supported"),
        (("bash", "-c", "true"), "simnet run: bash is not a Python script"),
    ],
)
def test_a_command_it_cannot_run_is_a_usage_error(tmp_path, command, message):
    result = _run(tmp_path / "chain.sqlite", *command)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(message)


def test_a_state_file_of_a_newer_simnet_is_refused_in_one_line(tmp_path):
    state = ChainState(tmp_path / "chain.sqlite")
    state._db.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION + 1,)
    )
    state.close()
    result = _run(tmp_path / "chain.sqlite", "python", str(SCRIPT), "argv")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("simnet run: ")
    assert "newer simnet" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_module_runs_with_dash_m(tmp_path):
    result = _run(
        tmp_path / "chain.sqlite", "python", "-m", "tests.specimens.neuron_script", "argv",
        cwd=Path(__file__).parents[1],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "argv" in result.stdout


def test_a_one_liner_runs_with_dash_c_as_python_runs_it(tmp_path):
    state = ChainState(tmp_path / "chain.sqlite")
    for name in ("a", "b", "c"):
        state.register(4, name, "ck")
    code = "import sys, bittensor as bt; print(bt.Subtensor().metagraph(4).n, sys.argv)"
    result = _run(tmp_path / "chain.sqlite", "python", "-c", code, "extra")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3 ['-c', 'extra']"


def test_blocking_is_reported_once_per_place_and_summarized_at_exit(tmp_path):
    """Worker threads blocking their own private loops hold up nobody: not reported. The
    main loop's one blocking line is reported once, then counted."""
    state = ChainState(tmp_path / "chain.sqlite")
    state.register(1, "validator", "ck", stake=1000, validator_permit=True)
    state.close()
    script = Path(__file__).parent / "specimens" / "busy_validator.py"
    result = _run(tmp_path / "chain.sqlite", "python", str(script), "3")
    assert result.returncode == 0, result.stderr
    reports = [line for line in result.stderr.splitlines() if line.startswith("simnet: blocking")]
    assert len(reports) == 2, result.stderr
    first, summary = reports
    assert first.startswith("simnet: blocking in the event loop running the validator's code")
    assert summary.startswith("simnet: blocking summary: the event loop running the validator's")
    assert "busy_validator.py" in summary
    assert "in main: blocked 3 time(s)" in summary


def test_blocking_detection_can_be_switched_off(tmp_path):
    state = ChainState(tmp_path / "chain.sqlite")
    state.register(1, "validator", "ck", stake=1000, validator_permit=True)
    state.close()
    script = Path(__file__).parent / "specimens" / "busy_validator.py"
    result = subprocess.run(
        [sys.executable, "-m", "simnet", "run", "--state", str(tmp_path / "chain.sqlite"),
         "--blocking-threshold", "off", "--", "python", str(script), "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "blocking" not in result.stderr


def test_a_bad_blocking_threshold_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "simnet", "run", "--blocking-threshold", "soon", "--", "x.py"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "blocking threshold 'soon': expected a positive number of seconds, or off" in (
        result.stderr
    )


@pytest.mark.parametrize(
    "code",
    ["import bittensor as bt; bt.Client('finney')", "from bittensor import ServeAxon"],
    ids=["attribute", "import"],
)
def test_a_script_of_the_11x_stack_is_one_line_naming_what_to_install(tmp_path, code):
    result = _run(tmp_path / "chain.sqlite", "python", "-c", code)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("simnet run: -c uses bittensor.")
    assert (
        "it is written for bittensor 11.x (11.0-11.3): pip install 'bittensor>=11.0,<12'"
        in (lines[0])
    )


def test_a_missing_name_of_neither_stack_is_the_scripts_own_error(tmp_path):
    result = _run(tmp_path / "chain.sqlite", "python", "-c", "import bittensor; bittensor.Nope")
    assert result.returncode == 1
    assert "AttributeError" in result.stderr
    assert "simnet run:" not in result.stderr
