"""Each kind of protocol found in real subnets is judged right: defects reported with the
property that names them, harmless habits passed (with notes where due)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from simnet.fuzz.samples import DEFAULT_SAMPLES
from simnet.properties import (
    PropertyFailed,
    check_chunking_invariance,
    check_error_bodies,
    check_header_contract,
    check_yields,
)
from tests.specimens import real_protocols as specimens
from tests.specimens.tutorial_protocol import TutorialStreamPrompting

BUDGET = 100  # the local profile's: every defect must be found within it
LONG = max(DEFAULT_SAMPLES, key=len)


def _fails(check, cls, **kwargs) -> PropertyFailed:
    with pytest.raises(PropertyFailed) as failed:
        check(cls, max_examples=BUDGET, seed=0, **kwargs)
    return failed.value


@pytest.mark.parametrize(
    ("check", "cls", "message"),
    [
        (check_chunking_invariance, TutorialStreamPrompting, "UnicodeDecodeError"),
        (check_chunking_invariance, specimens.IgnoresSplitCharacters, "field 'completion'"),
        (check_chunking_invariance, specimens.LosesObjectsAtBoundaries, "field 'tokens'"),
        (check_error_bodies, TutorialStreamPrompting, "error body became content"),
        (check_yields, TutorialStreamPrompting, "error body is yielded as content"),
        (check_yields, specimens.YieldsPerRead, "what is yielded depends on chunking"),
        (check_header_contract, specimens.DropsUnderscoredHeaders, "nginx's default"),
    ],
)
def test_each_defect_is_reported_by_the_property_that_names_it(check, cls, message):
    failed = _fails(check, cls)
    assert any(message in finding.message for finding in failed.findings), failed.findings


def test_a_reader_of_fixed_pieces_cannot_parse_a_valid_stream_even_in_one_chunk():
    failed = _fails(
        check_chunking_invariance,
        specimens.DecodesFixedPieces,
        samples=[LONG],
        payloads=st.just(LONG),
    )
    (finding,) = failed.findings
    assert "cannot parse a valid stream in one chunk (given): UnicodeDecodeError" in finding.message
    assert finding.counterexample.chunks == [LONG]


def test_a_default_sample_of_the_protocols_shape_is_judged_by_its_ascii_twin():
    # 100 bytes in, a character of the long raw-UTF-8 sample straddles the cut.
    assert LONG[:100].decode(errors="ignore").encode() != LONG[:100]
    failed = _fails(check_chunking_invariance, specimens.DecodesFixedPieces, payloads=st.just(LONG))
    (finding,) = [f for f in failed.findings if f.counterexample.chunks == [LONG]]
    assert "cannot parse a valid stream in one chunk: UnicodeDecodeError" in finding.message
    assert "its ASCII twin parses" in finding.message


@pytest.mark.parametrize(
    "cls",
    [specimens.LooselyTyped, specimens.ErrorPathReadsTheUrl, specimens.SplitsHeaderNames],
)
@pytest.mark.parametrize(
    "check", [check_chunking_invariance, check_header_contract, check_error_bodies, check_yields]
)
def test_harmless_protocols_pass_every_property(cls, check):
    check(cls, max_examples=BUDGET, seed=0)


def test_the_split_header_pattern_is_a_note_naming_the_masking_bittensor():
    report = check_header_contract(specimens.SplitsHeaderNames, max_examples=BUDGET, seed=0)
    assert any(
        "no effect on bittensor" in note and "not a failure" in note for note in report.notes
    )


def test_a_malformed_value_only_the_miners_axon_sends_is_a_note_not_a_failure():
    report = check_header_contract(TutorialStreamPrompting, max_examples=BUDGET, seed=0)
    malformed = [note for note in report.notes if "a miner's own malformed headers" in note]
    assert len(malformed) == 1  # one example of the kind, not one note per variation


def test_a_field_that_differs_between_runs_of_the_same_bytes_is_left_out_with_a_note():
    report = check_chunking_invariance(specimens.StampsEachRun, max_examples=BUDGET, seed=0)
    assert any("'received_at'" in note and "left out" in note for note in report.notes)


def test_every_distinct_header_finding_is_reported_once():
    failed = _fails(check_header_contract, specimens.DropsUnderscoredHeaders)
    messages = [finding.message for finding in failed.findings]
    assert len(messages) == len(set(messages))
    assert all(len(f.counterexample.headers.changes) <= 1 for f in failed.findings)


@pytest.mark.parametrize("offset", [100, 128, 200, 256])
def test_the_long_default_sample_splits_a_character_where_fixed_readers_cut(offset):
    assert LONG[offset] & 0xC0 == 0x80


def test_the_header_contract_keeps_one_dendrite_per_process():
    # A dendrite dropped while an event loop runs warns from its __del__, in whichever
    # test of the user's happens to be running: simnet keeps its own for good.
    from simnet.fuzz.validator import Validator

    check_header_contract(specimens.LooselyTyped, max_examples=5, seed=0)
    assert Validator.shared() is Validator.shared()


def test_text_dropped_on_purpose_is_a_note_not_a_failure():
    report = check_chunking_invariance(specimens.DropsNonAscii, max_examples=BUDGET, seed=0)
    assert any("keeps less text in one chunk" in note for note in report.notes)
