"""Readers through `simnet fuzz` and the pytest plugin: exit codes, findings with snippets
that replay as printed, one-line usage errors."""

import subprocess
import sys
from pathlib import Path

from tests.in_process import simnet_in_process

SPECIMENS = Path(__file__).parent / "specimens.py"


def _fuzz(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return simnet_in_process("fuzz", *args, cwd=cwd)


def test_a_reader_that_holds_exits_0(tmp_path):
    result = _fuzz(f"{SPECIMENS}:sse_words", "--examples", "40", "--seed", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "reader" in result.stdout
    assert "(httpx responses)" in result.stdout
    for name in ("chunking invariance", "error bodies"):
        assert f"✓ {name} holds" in result.stdout


def test_a_failing_reader_exits_1_with_a_snippet_that_replays_as_printed(tmp_path):
    body = tmp_path / "events.sse"
    body.write_bytes(b'data: {"text": "a"}\n\ndata: {"text": "b"}\n\ndata: [DONE]\n\n')
    result = _fuzz(
        f"{SPECIMENS}:sse_per_read",
        "--body",
        str(body),
        "--seed",
        "2",
        "--examples",
        "60",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "✗ chunking invariance fails" in result.stdout
    assert "  client:  httpx" in result.stdout
    assert "Task was destroyed" not in result.stderr
    snippet = result.stdout.split("(runnable as printed):\n")[1].split("\n  (end of finding 1)")[0]
    script = tmp_path / "replay.py"
    script.write_text(snippet)
    replay = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert replay.returncode == 0, replay.stderr
    assert replay.stdout.startswith("ReadOutcome(")


def test_synapse_options_given_for_a_reader_are_one_line_exit_2(tmp_path):
    result = _fuzz(f"{SPECIMENS}:sse_words", "--yields", "--field", "a=1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.strip() == (
        f"simnet fuzz: --field, --yields apply to StreamingSynapse classes; "
        f"'{SPECIMENS}:sse_words' is a reader"
    )


def test_the_plugin_makes_one_item_per_reader_property(pytester):
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        f"simnet_fuzz = {SPECIMENS}:sse_words\n"
    )
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest_subprocess("-v", "-p", "no:randomly", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*simnet-fuzz?*sse_words::chunking_invariance?*PASSED*",
            "*simnet-fuzz?*sse_words::error_bodies?*PASSED*",
        ]
    )
    assert result.ret == 0
