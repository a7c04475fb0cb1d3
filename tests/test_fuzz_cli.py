"""`simnet fuzz`: exit codes, counterexamples, reproduction snippets."""

import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import simnet_command
from tests.in_process import simnet_in_process

SPECIMEN = Path(__file__).parent / "specimens" / "tutorial_protocol.py"
ROOT = Path(__file__).parent.parent


def _fuzz(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return simnet_in_process("fuzz", *args, cwd=cwd)


def test_a_protocol_that_holds_exits_0():
    # The one run through `python -m simnet fuzz`: the entry point as a CI job calls it.
    result = simnet_command(
        "fuzz", "protocol:StreamPrompting", "--examples", "50", "--seed", "1", cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("chunking invariance", "header contract", "error bodies"):
        assert f"✓ {name} holds" in result.stdout


def test_the_tutorial_protocol_exits_1_with_minimal_examples_and_snippets(tmp_path):
    result = _fuzz(f"{SPECIMEN}:TutorialStreamPrompting", "--seed", "3")

    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "✗ chunking invariance fails" in out
    assert "UnicodeDecodeError" in out
    assert "✓ header contract holds" in out
    assert "note: no effect on bittensor" in out
    assert "error body became content" in out
    for line in out.splitlines():
        assert len(line) < 1000 or line.startswith("headers = ")  # one line per sentence
    snippet = out.split("(runnable as printed):\n")[1].split("\n  (end of finding 1)")[0]
    script = tmp_path / "reproduce.py"
    script.write_text(snippet)
    replay = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert replay.returncode == 0, replay.stderr
    assert "UnicodeDecodeError" in replay.stdout  # the snippet reproduces the failure


def test_a_seed_makes_the_output_reproducible():
    first = _fuzz(f"{SPECIMEN}:TutorialStreamPrompting", "--seed", "5", "--examples", "30")
    second = _fuzz(f"{SPECIMEN}:TutorialStreamPrompting", "--seed", "5", "--examples", "30")

    def timeless(out: str) -> str:
        return re.sub(r"\(\d+\.\d s\)", "(time)", out)

    assert timeless(first.stdout) == timeless(second.stdout)


def test_bodies_and_a_miners_stream_are_used_as_samples(tmp_path):
    body = tmp_path / "body.txt"
    body.write_bytes("sample body with ünïcode\n".encode())
    result = _fuzz(
        "protocol.py:StreamPrompting",
        "--body",
        str(body),
        "--miner",
        "miner.py:echo_forward",
        "--examples",
        "30",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _fails_to_load(*args: str) -> str:
    result = _fuzz(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    return result.stdout.replace("\n", " ")


def test_targets_and_bodies_that_cannot_be_loaded_exit_2_saying_why(tmp_path):
    assert "no attribute 'Nope'" in _fails_to_load("protocol:Nope")
    assert "'no_such_module' cannot be imported" in _fails_to_load("no_such_module:X")
    assert "does not exist" in _fails_to_load(f"{tmp_path}/missing.py:X")
    assert "must be package.module:Name" in _fails_to_load("protocol")
    assert "not a StreamingSynapse subclass" in _fails_to_load("miner:Miner")
    missing = tmp_path / "missing-body"
    assert f"body '{missing}' cannot be read" in _fails_to_load(
        "protocol:StreamPrompting", "--body", str(missing)
    )
    assert "miner 'miner:nothing'" in _fails_to_load(
        "protocol:StreamPrompting", "--miner", "miner:nothing"
    )


def test_a_protocol_simnet_cannot_drive_exits_2_in_one_line_not_1():
    specimen = Path(__file__).parent / "specimens" / "unbuildable_protocol.py"
    result = _fuzz(f"{specimen}:Unbuildable", "--examples", "5")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "simnet fuzz: could not run chunking_invariance on Unbuildable: TypeError" in (
        result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_fields_can_be_pinned_and_a_whole_synapse_given():
    pinned = _fuzz(
        "protocol:StreamPrompting", "--field", 'messages=["hi"]', "--examples", "20", "--seed", "1"
    )
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    whole = _fuzz(
        "protocol:StreamPrompting",
        "--synapse",
        '{"roles": ["user"], "messages": ["hi"]}',
        "--examples",
        "20",
    )
    assert whole.returncode == 0, whole.stdout + whole.stderr


def test_bad_fields_exit_2_naming_the_field_and_the_reason():
    assert "--field nope: StreamPrompting has no field 'nope'" in _fails_to_load(
        "protocol:StreamPrompting", "--field", "nope=1"
    )
    assert "--field messages: messages: Input should be a valid list" in _fails_to_load(
        "protocol:StreamPrompting", "--field", "messages=3"
    )
    assert "--field messages: '[' is not JSON" in _fails_to_load(
        "protocol:StreamPrompting", "--field", "messages=["
    )
    assert "--field 'messages' must be NAME=JSON" in _fails_to_load(
        "protocol:StreamPrompting", "--field", "messages"
    )
    assert "--synapse is not a valid StreamPrompting" in _fails_to_load(
        "protocol:StreamPrompting", "--synapse", '{"messages": 3}'
    )


def test_yields_are_checked_on_request():
    result = _fuzz(f"{SPECIMEN}:TutorialStreamPrompting", "--yields", "--examples", "30")
    assert result.returncode == 1
    assert "error body is yielded as content" in result.stdout


def test_a_body_of_the_protocol_that_it_cannot_parse_is_a_failure(tmp_path):
    body = tmp_path / "answer.txt"
    body.write_bytes(("x" * 99 + "日本").encode())
    specimens = Path(__file__).parent / "specimens" / "real_protocols.py"
    result = _fuzz(f"{specimens}:DecodesFixedPieces", "--body", str(body), "--examples", "20")
    assert result.returncode == 1
    assert f"cannot parse a valid stream in one chunk (body {body})" in result.stdout


REAL = Path(__file__).parent / "specimens" / "real_protocols.py"


def test_the_validators_synapse_factory_is_the_only_source_of_synapses():
    result = _fuzz(
        f"{REAL}:OptionalTexts",
        "--synapse-factory",
        f"{REAL}:build_optional_texts",
        "--examples",
        "30",
        "--seed",
        "1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "texts=None" not in result.stdout


def test_without_a_factory_a_synapse_the_validator_may_not_send_is_a_note():
    result = _fuzz(f"{REAL}:OptionalTexts", "--examples", "30", "--seed", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "on a synapse with texts=None; can the validator send that?" in result.stdout


def test_a_bad_synapse_factory_exits_2_in_one_line():
    for args, expected in [
        (("--synapse-factory", f"{REAL}:nothing"), "has no attribute 'nothing'"),
        (("--synapse-factory", f"{REAL}:Mood.CALM"), "not a function"),
        (
            ("--synapse-factory", f"{REAL}:build_optional_texts", "--field", "texts=[]"),
            "the only source of synapses",
        ),
    ]:
        result = _fuzz(f"{REAL}:OptionalTexts", *args)
        assert result.returncode == 2, result.stdout + result.stderr
        (line,) = result.stdout.strip().splitlines()
        assert expected in line


def test_the_validators_consumer_decides_what_chunking_and_error_bodies_judge(tmp_path):
    body = tmp_path / "answer.sse"
    body.write_bytes(b'data: {"choices": [{"delta": {"content": "hi"}}]}\n\ndata: [DONE]\n\n')
    common = ("--body", str(body), "--examples", "30", "--seed", "1")
    fine = _fuzz(f"{REAL}:YieldsRawText", "--consumer", f"{REAL}:sse_deltas", *common)
    assert fine.returncode == 0, fine.stdout + fine.stderr
    broken = _fuzz(f"{REAL}:YieldsRawText", "--consumer", f"{REAL}:json_per_chunk", *common)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "✗ error bodies fails" in broken.stdout
    assert "the consumer returns" in broken.stdout


def test_the_round_trip_is_checked_with_the_protocols_documented_transformation():
    args = ("--round-trip", f"{REAL}:completion_is_the_text", "--examples", "30", "--seed", "1")
    kept = _fuzz(f"{REAL}:KeepsLines", *args)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "✓ round trip holds" in kept.stdout
    dropped = _fuzz(f"{REAL}:DropsNewlines", *args)
    assert dropped.returncode == 1, dropped.stdout + dropped.stderr
    assert "✓ chunking invariance holds" in dropped.stdout
    assert "✗ round trip fails" in dropped.stdout


def test_pydantic_serializer_warnings_never_reach_the_output():
    result = _fuzz(f"{REAL}:AppendsBytesToText", "--examples", "30", "--seed", "1", "--yields")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "serializ" not in (result.stdout + result.stderr).lower()
