"""One environment, one bittensor: the wrong stack, a release older or newer than the ones
simnet checks, and a changed data shape are each one line, never a traceback from inside
bittensor; what simnet adapts to is detected in the installed release."""

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import simnet._compat as compat
from simnet import ChainState, FakeSubtensor
from simnet._release import BITTENSOR_VERSION, RELEASES, SeamChanged, WrongStack, require

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import releases  # noqa: E402

NEURON_RANGE = "9.0-10.5"
V11_RANGE = "11.0-11.3"


def with_bittensor(version: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that reports ``version`` as the installed
    bittensor (the real one stays installed underneath)."""
    fake = (
        "import importlib.metadata as m\n"
        "real = m.version\n"
        f"m.version = lambda name: {version!r} if name == 'bittensor' else real(name)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", fake + code], capture_output=True, text=True, check=False
    )


def simnet_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "simnet" in line]


def test_the_checked_ranges_come_from_the_release_list():
    assert (RELEASES[0].version, RELEASES[-1].version) == ("9.0.4", "11.3.0")
    assert [r.minor for r in RELEASES if r.stack == "neuron"][-1] == "10.5"
    versions = [tuple(map(int, r.version.split("."))) for r in RELEASES]
    assert versions == sorted(set(versions))


def test_the_documented_release_table_is_the_one_generated_from_the_release_list():
    assert releases.table() in (ROOT / "docs" / "bittensor-releases.md").read_text()


def test_every_install_line_in_the_docs_is_the_tables_line_for_its_minor():
    lines = [
        match.group(0).strip()
        for doc in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
        for match in re.finditer(
            r'pip install bittensor-simnet "bittensor==[^`\n]*', doc.read_text()
        )
    ]
    assert len(lines) > len(RELEASES)
    for line in lines:
        minor = re.search(r'"bittensor==(\d+\.\d+)\.\*"', line)
        assert minor, line
        assert line.split("#")[0].strip() == releases.install_line(minor.group(1))


def test_ci_runs_the_whole_suite_on_exactly_the_anchor_releases():
    ci = (ROOT / ".ci" / "run").read_text()
    pinned = re.findall(r"^make test BITTENSOR=(\S+)", ci, re.M)
    on_the_default = re.findall(r"^make test$", ci, re.M)  # 10.5.*
    assert "DEFAULT_BITTENSOR := 10.5.*" in (ROOT / "Makefile").read_text()
    assert len(on_the_default) == 1
    assert sorted([*pinned, "10.5.0"]) == sorted(r.version for r in RELEASES if r.suite)


def test_ci_runs_the_whole_suite_once_more_on_the_newest_python():
    ci = (ROOT / ".ci" / "run").read_text()
    asked = re.findall(r"^newest_python=\$\(python3 tools/releases.py python (\S+)\)", ci, re.M)
    assert asked == [releases.SUITE_PYTHON] == [releases.PYTHONS[-1]]
    assert re.findall(r"^make test PYTHON=(\S+)", ci, re.M) == ['"$newest_python"']


def test_the_classifiers_claim_exactly_the_pythons_ci_runs():
    pyproject = (ROOT / "pyproject.toml").read_text()
    claimed = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject)
    assert claimed == list(releases.PYTHONS)
    assert f'requires-python = ">={releases.PYTHONS[0]}"' in pyproject


def test_the_smoke_runs_each_release_once_and_the_newest_of_each_major_on_every_python():
    runs = releases.smoke_runs()
    assert {r.version for r, _ in runs} == {r.version for r in RELEASES}
    for newest in ("9.12.2", "10.5.0", "11.3.0"):
        assert sorted(p for r, p in runs if r.version == newest) == list(releases.PYTHONS)


def test_pip_is_told_what_each_release_needs():
    assert releases.needs("9.8.3") == ["async-substrate-interface<1.6", "bittensor-drand<2"]
    assert releases.needs("10.2.*") == ["async-substrate-interface<2"]
    assert releases.needs("10.5.*") == []
    assert releases.needs("11.*") == ["fastapi"]


def test_the_index_check_names_missing_minors_and_newer_patches():
    offered = [releases.version(v) for v in ("8.5.0", "10.5.0", "10.5.1", "10.6.0", "11.3.0")]
    assert releases.missing(offered) == [
        "10.5.1: newer than the listed 10.5.0",
        "10.6.0: a minor the list lacks (add Release('10.6.0', ...))",
    ]


def test_the_index_check_out_of_reach_says_so_in_one_line_and_does_not_fail():
    query = ("pip", "--isolated", "index", "versions", "bittensor", "--no-index")
    answer = releases.ask_index(query)

    assert isinstance(answer, str)
    assert "\n" not in answer
    assert answer.startswith(f"could not reach the package index ({' '.join(query)}: ")
    assert answer.endswith("; nothing checked")


def test_the_11x_stack_asked_for_on_this_release_names_what_to_install():
    with pytest.raises(WrongStack) as caught:
        require("v11")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        f"simnet.v11 needs bittensor 11.x ({V11_RANGE}); bittensor {BITTENSOR_VERSION}"
    )
    assert "pip install 'bittensor>=11.0,<12'" in message


def test_importing_simnet_v11_here_fails_with_that_one_line():
    result = subprocess.run(
        [sys.executable, "-c", "import simnet.v11"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("simnet._release.WrongStack: simnet.v11 needs bittensor 11.x")
    )


def test_an_unknown_stack_is_named():
    with pytest.raises(ValueError, match="unknown simnet stack 'v12'"):
        require("v12")


@pytest.mark.parametrize(
    ("version", "code", "stack_range"),
    [
        ("10.6.0", "import simnet._compat", NEURON_RANGE),
        ("11.4.1", "from simnet._release import require; require('v11')", V11_RANGE),
    ],
)
def test_a_release_newer_than_the_checked_minors_gets_one_line_and_the_run_goes_on(
    version, code, stack_range
):
    result = with_bittensor(version, code + "\nprint('went on')")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["went on"]
    assert simnet_lines(result.stderr) == [
        f"simnet: bittensor {version} is newer than the releases simnet checks on its stack "
        f"({stack_range}); going on"
    ]


def test_a_release_newer_than_the_checked_minors_is_named_in_pytests_header(tmp_path):
    test = tmp_path / "test_one.py"
    test.write_text("def test_one():\n    pass\n")
    argv = ["-p", "no:randomly", "-p", "no:cacheprovider", "-c", os.devnull, str(test)]
    result = with_bittensor("10.6.0", f"import pytest\nraise SystemExit(pytest.main({argv!r}))")

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    notice = (
        "simnet: bittensor 10.6.0 is newer than the releases simnet checks on its stack "
        f"({NEURON_RANGE}); going on"
    )
    assert lines.count(notice) == 1
    assert lines.index(notice) < next(i for i, line in enumerate(lines) if "collected" in line)
    assert "1 passed" in lines[-1]


def test_a_checked_release_gets_no_notice():
    result = with_bittensor("10.5.0", "import simnet._compat")
    assert result.returncode == 0, result.stderr
    assert simnet_lines(result.stderr) == []


@pytest.mark.parametrize(
    ("version", "stack", "expected"),
    [
        ("12.0.0", "v11", f"simnet.v11 needs bittensor 11.x ({V11_RANGE}); bittensor 12.0.0"),
        (
            "8.5.0",
            "neuron",
            f"simnet's Axon/Dendrite stack needs bittensor 9.x or 10.x ({NEURON_RANGE}); "
            "bittensor 8.5.0 is installed: pip install 'bittensor>=9.0,<11'",
        ),
    ],
)
def test_a_release_outside_9_to_11_is_refused_with_one_line(version, stack, expected):
    result = with_bittensor(
        version,
        f"from simnet._release import require\ntry:\n    require({stack!r})\n"
        "except ImportError as exc:\n    print(exc)\n    raise SystemExit(3)",
    )

    assert result.returncode == 3
    assert len(result.stdout.splitlines()) == 1
    assert result.stdout.startswith(expected)


@pytest.fixture
def fresh_seams():
    """Forget the seams detected so far, before and after the test."""
    caches = (compat._account_id_form, compat._metagraph_parameters, compat._result_shape)
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


def test_the_account_ids_simnet_builds_read_back_as_the_hotkeys_on_this_release(fresh_seams):
    hotkey = "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM"
    state = compat.subnet_state_dict(3, [hotkey], [hotkey], [10**9], [True], [0], [0])

    decoded = compat.SubnetState.from_dict(state)

    assert list(decoded.hotkeys) == [hotkey]


def test_metagraph_arguments_are_read_in_the_installed_signatures_order(fresh_seams):
    assert compat.metagraph_arguments((), {"lite": False, "block": 7}) == (False, 7)
    order = compat._metagraph_parameters()
    given = {"lite": False, "block": 9, "mechid": 0}
    assert compat.metagraph_arguments(tuple(given[name] for name in order), {}) == (False, 9)


def grown(cls: type, field: str) -> type:
    """``cls`` with one more required field, as a newer bittensor might ship it."""
    new = (field, list, dataclasses.field(kw_only=True))
    return dataclasses.make_dataclass(cls.__name__, [new], bases=(cls,))


def test_a_subnet_state_with_a_new_field_stops_the_sync_with_one_line(fresh_seams, monkeypatch):
    monkeypatch.setattr(compat, "SubnetState", grown(compat.SubnetState, "stake_weight"))
    chain = ChainState()
    chain.register(8, "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM", "ck-0")

    with pytest.raises(SeamChanged) as caught:
        FakeSubtensor(chain).metagraph(8)

    assert str(caught.value) == (
        f"bittensor {BITTENSOR_VERSION} changed SubnetState: it has stake_weight, unknown to "
        f"simnet; simnet checks {NEURON_RANGE} and {V11_RANGE} (docs/bittensor-releases.md)"
    )


def test_a_neuron_info_with_a_new_required_field_is_a_changed_seam(monkeypatch):
    import simnet.neurons.chain_data

    monkeypatch.setattr(
        simnet.neurons.chain_data, "NeuronInfo", grown(compat.NeuronInfo, "weight_ema")
    )
    chain = ChainState()
    chain.register(8, "hk-0", "ck-0")

    with pytest.raises(SeamChanged) as caught:
        FakeSubtensor(chain).neurons(8)

    assert str(caught.value).startswith(
        f"bittensor {BITTENSOR_VERSION} changed NeuronInfo: it requires weight_ema, unknown to "
        "simnet; simnet checks"
    )


def test_a_metagraph_signature_without_lite_is_a_changed_seam(fresh_seams, monkeypatch):
    def metagraph(self, netuid, mechid=0, block=None): ...

    monkeypatch.setattr(compat.RealSubtensor, "metagraph", metagraph)

    with pytest.raises(SeamChanged) as caught:
        compat.metagraph_arguments((), {})
    assert "\n" not in str(caught.value)
    assert "changed Subtensor.metagraph: its parameters are netuid, mechid, block;" in str(
        caught.value
    )
