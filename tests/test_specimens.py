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
        (check_header_contract, specimens.IndexesRawHeaderNames, "Go's form"),
        (check_error_bodies, specimens.WritesThenRaises, "(then process_streaming_response raised"),
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
    [
        specimens.LooselyTyped,
        specimens.ErrorPathReadsTheUrl,
        specimens.SplitsHeaderNames,
        specimens.ClearsCompletion,
        specimens.BadDefaultSeed,
    ],
)
@pytest.mark.parametrize(
    "check", [check_chunking_invariance, check_header_contract, check_error_bodies, check_yields]
)
def test_harmless_protocols_pass_every_property(cls, check):
    check(cls, max_examples=BUDGET, seed=0)


@pytest.mark.parametrize(
    ("check", "cls", "note"),
    [
        # nginx drops underscored names from *request* headers only; responses pass.
        (check_header_contract, specimens.DropsUnderscoredHeaders, "nginx does it to requests"),
        # Failure recorded in fields of its own; content untouched.
        (check_error_bodies, specimens.RecordsErrors, None),
        # None to "": nothing of the error body.
        (check_error_bodies, specimens.ClearsCompletion, None),
        # bittensor's own reading refuses the class default: no variation is to blame,
        # and the note names the step that raised (not extract_response_json).
        (check_header_contract, specimens.BadDefaultSeed, "(process_server_response raises"),
        # extract_response_json needs texts, which the validator always sends.
        (check_header_contract, specimens.OptionalTexts, "on a synapse with texts=None"),
    ],
)
def test_what_a_validator_never_sees_fail_is_not_a_failure(check, cls, note):
    report = check(cls, max_examples=BUDGET, seed=0)
    assert note is None or any(note in n for n in report.notes), report.notes


def test_the_validators_own_synapse_builder_is_the_only_source_of_synapses():
    report = check_header_contract(
        specimens.OptionalTexts,
        synapse_factory=specimens.build_optional_texts,
        max_examples=BUDGET,
        seed=0,
    )
    assert not any("texts=None" in note for note in report.notes)


def test_a_sample_failing_only_with_a_synapse_the_validator_may_not_send_is_a_note():
    body = specimens.openai_body(["plain", "ascii"])
    report = check_chunking_invariance(
        specimens.OptionalTexts, samples=[body], max_examples=BUDGET, seed=0
    )
    assert any("texts=None; can the validator send that?" in n for n in report.notes)


def test_a_sample_failing_with_the_validators_own_synapses_is_a_failure():
    class NeedsTexts(specimens.OptionalTexts):
        def extract_response_json(self, response):
            raise ValueError("cannot read this")

    failed = _fails(
        check_chunking_invariance,
        NeedsTexts,
        samples=[b"hello"],
        synapse_factory=lambda rng: NeedsTexts(texts=["a"]),
    )
    assert any("cannot parse a valid stream in one chunk" in f.message for f in failed.findings)


def test_a_miners_escaped_json_is_judged_with_its_raw_utf8_twin_too():
    # The miner's own body is ASCII (json.dumps escapes): only its twin splits a character.
    words = ["h\u00e9llo", "w\u00f6rld", "\u65e5\u672c", "\U0001f389"]
    body = specimens.openai_body(words)
    assert body.isascii()
    failed = _fails(check_chunking_invariance, specimens.OpenAIDeltas, samples=[body])
    assert any("field 'completion'" in f.message for f in failed.findings)
    assert len({f.message for f in failed.findings}) == len(failed.findings)


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


def test_one_root_cause_is_one_finding_listing_the_variations_that_show_it():
    failed = _fails(check_header_contract, specimens.IndexesRawHeaderNames)
    (finding,) = failed.findings
    assert len(finding.counterexample.headers.changes) == 1
    assert len(finding.variants) > 1  # re-cased every way, one finding


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


def test_the_replay_snippet_runs_as_printed_for_enum_and_nested_model_fields(capsys):
    from simnet.fuzz.reports import Counterexample
    from simnet.fuzz.reproduction import reproduction

    synapse = specimens.LooselyTyped(
        request={"q": 1}, mood=specimens.Mood.LOUD, settings=specimens.Settings(temperature=0.1)
    )
    target = "tests.specimens.real_protocols:LooselyTyped"
    snippet = reproduction(target, specimens.LooselyTyped, Counterexample(synapse, [b"hi"]))
    assert "<Mood" not in snippet
    exec(compile(snippet, "snippet", "exec"), {})
    out = capsys.readouterr().out
    assert "'completion': 'hi'" in out
    assert "'mood': <Mood.LOUD" in out  # the same synapse, rebuilt from the printed values


SSE = specimens.openai_body(["one", "two", "three"])


def test_a_consumer_parsing_each_yielded_chunk_on_its_own_fails_both_properties():
    failed = _fails(
        check_chunking_invariance,
        specimens.YieldsRawText,
        samples=[b'{"text": "one"}'],
        consumer=specimens.json_per_chunk,
    )
    assert any("the consumer returns" in f.message for f in failed.findings), failed.findings
    failed = _fails(check_error_bodies, specimens.YieldsRawText, consumer=specimens.json_per_chunk)
    assert "error body became content: the consumer returns" in failed.findings[0].message


@pytest.mark.parametrize("check", [check_chunking_invariance, check_error_bodies])
def test_an_sse_consumer_that_ignores_a_non_sse_error_body_passes(check):
    check(
        specimens.YieldsRawText,
        samples=[SSE],
        consumer=specimens.sse_deltas,
        max_examples=BUDGET,
        seed=0,
    )


def test_a_parser_dropping_every_newline_fails_only_the_round_trip():
    from simnet.properties import check_round_trip

    check_chunking_invariance(specimens.DropsNewlines, max_examples=BUDGET, seed=0)
    failed = _fails(
        check_round_trip, specimens.DropsNewlines, expected=specimens.completion_is_the_text
    )
    assert "the validator ends with" in failed.findings[0].message
    check_round_trip(
        specimens.KeepsLines, expected=specimens.completion_is_the_text, max_examples=BUDGET, seed=0
    )


def test_the_round_trip_sends_the_fields_it_judges_blank_as_a_validator_does():
    # The reference protocol appends to completion: a drawn completion='0' would be kept
    # ahead of the streamed text ('0hello world'), which loses nothing.
    from protocol import StreamPrompting
    from simnet.properties import check_round_trip

    check_round_trip(
        StreamPrompting, expected=specimens.completion_is_the_text, max_examples=BUDGET, seed=0
    )


def test_a_failure_only_the_one_byte_split_of_a_sample_shows_is_reported_and_replays():
    # Before the split was recorded outside hypothesis' replay, this run ended "holds"
    # with a note that the result varies between runs of the same input.
    import asyncio

    from simnet.properties import run_protocol

    failed = _fails(check_chunking_invariance, specimens.SkipsBlankReads)
    assert not any("varies between runs" in note for note in failed.notes)
    example = failed.findings[0].counterexample
    assert example.synapse.stream
    whole = b"".join(example.chunks)
    headers = example.headers.raw

    def completion(chunks):
        outcome = asyncio.run(run_protocol(example.synapse, chunks, raw_headers=headers))
        return outcome.fields["completion"]

    assert completion(example.chunks) != completion([whole])


@pytest.mark.parametrize(
    "check", [check_chunking_invariance, check_header_contract, check_error_bodies, check_yields]
)
def test_pydantic_serializer_warnings_never_escape_a_property(check):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(specimens.AppendsBytesToText, max_examples=20, seed=0)
    assert not [w for w in caught if "serializ" in str(w.message)]
