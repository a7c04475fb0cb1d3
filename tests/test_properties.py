"""The ready-made properties: the reference protocol passes, the tutorial's is caught."""

import pytest

from protocol import StreamPrompting
from simnet.properties import (
    PropertyFailed,
    check_chunking_invariance,
    check_error_bodies,
    check_header_contract,
)
from tests.specimens.tutorial_protocol import TutorialStreamPrompting, TutorialWithHeaderNamesFixed

# The default budget of the local profile; every defect must be found within it.
DEFAULT_BUDGET = 100


def test_a_utf8_character_split_across_chunks_is_found():
    with pytest.raises(PropertyFailed, match="UnicodeDecodeError") as failed:
        check_chunking_invariance(TutorialStreamPrompting, max_examples=DEFAULT_BUDGET)
    example = failed.value.counterexample
    assert len(example.chunks) == 2  # shrunk to a single cut...
    joined = b"".join(example.chunks)
    assert len(joined.decode()) < len(joined)  # ...inside a multi-byte character
    with pytest.raises(UnicodeDecodeError):
        example.chunks[0].decode()


def test_renamed_terminal_fields_have_no_effect_and_are_a_note():
    report = check_header_contract(TutorialStreamPrompting, max_examples=DEFAULT_BUDGET)
    assert any("no effect on bittensor" in note for note in report.notes)


def test_a_malformed_number_that_bittensor_refuses_too_is_no_failure():
    # float("abc") raises in the protocol, and the dendrite's own header parsing refuses
    # the same header: the validator sees the same parse failure either way.
    check_header_contract(TutorialWithHeaderNamesFixed, max_examples=DEFAULT_BUDGET)


def test_an_error_body_taken_as_content_is_found():
    with pytest.raises(PropertyFailed, match="error body became content") as failed:
        check_error_bodies(TutorialStreamPrompting, max_examples=DEFAULT_BUDGET)
    example = failed.value.counterexample
    assert example.status >= 400
    assert len(example.chunks) == 1  # shrunk to the body in one piece


@pytest.mark.parametrize(
    "check", [check_chunking_invariance, check_header_contract, check_error_bodies]
)
def test_the_reference_protocol_holds_noting_at_most_malformed_values(check):
    report = check(StreamPrompting, max_examples=DEFAULT_BUDGET)
    assert report.examples >= DEFAULT_BUDGET
    # It reads some values bittensor refuses (e.g. Arabic-Indic digits): notes, never failures.
    assert all(note.startswith("a miner's own malformed headers") for note in report.notes)


@pytest.mark.asyncio
async def test_properties_can_be_called_from_an_async_test():
    check_error_bodies(StreamPrompting, max_examples=10)


def test_a_seed_makes_the_counterexample_reproducible():
    def failing_chunks(seed):
        with pytest.raises(PropertyFailed) as failed:
            check_chunking_invariance(TutorialStreamPrompting, max_examples=50, seed=seed)
        return failed.value.counterexample.chunks

    assert failing_chunks(7) == failing_chunks(7)
