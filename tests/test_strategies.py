"""simnet.strategies: valid output, eager validation, readable reprs, benign shrinking."""

import pytest
from hypothesis import find, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from miner import Miner
from protocol import StreamPrompting
from simnet import strategies
from simnet.fuzz.variations import HeaderSet

PAYLOAD = "añb日🎉c".encode()


@given(strategies.chunkings(PAYLOAD, allow_empty=True))
def test_chunks_always_join_back_into_the_payload(chunks):
    assert b"".join(chunks) == PAYLOAD


@given(strategies.chunkings(PAYLOAD, max_chunks=3))
def test_max_chunks_is_respected(chunks):
    assert len(chunks) <= 3


def test_chunkings_shrink_to_one_whole_chunk():
    assert find(strategies.chunkings(PAYLOAD), lambda chunks: True) == [PAYLOAD]


def test_chunkings_reach_cuts_inside_a_character_and_one_byte_chunks():
    inside = find(
        strategies.chunkings(PAYLOAD),
        lambda chunks: any(c and c[0] & 0xC0 == 0x80 for c in chunks),
    )
    assert len(inside) == 2
    short = "añ".encode()
    one_byte = find(strategies.chunkings(short), lambda chunks: len(chunks) == len(short))
    assert one_byte == [b"a", b"\xc3", b"\xb1"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: strategies.chunkings("text"), "payload must be bytes"),
        (lambda: strategies.chunkings(b"x", max_chunks=0), "max_chunks=0 must be at least 1"),
        (lambda: strategies.payloads(max_size=-1), "max_size=-1 must not be negative"),
        (lambda: strategies.synapses(int), "must be a Synapse subclass"),
        (lambda: strategies.synapses(StreamPrompting, nope=1), r"has no field\(s\) \['nope'\]"),
        (lambda: strategies.axon_headers("x"), "must be a Synapse instance"),
    ],
)
def test_bad_arguments_fail_when_the_strategy_is_made(call, message):
    with pytest.raises(InvalidArgument, match=message):
        call()


def test_reprs_read_like_the_call():
    assert repr(strategies.chunkings(b"ab", max_chunks=2)) == (
        "chunkings(b'ab', allow_empty=False, max_chunks=2)"
    )
    assert repr(strategies.synapses(StreamPrompting)) == "synapses(StreamPrompting)"


@given(strategies.synapses(StreamPrompting, roles=["user"]))
def test_synapses_are_valid_instances_with_pinned_fields(synapse):
    assert isinstance(synapse, StreamPrompting)
    assert synapse.roles == ["user"]


def test_synapses_shrink_toward_the_defaults():
    minimal = find(strategies.synapses(StreamPrompting), lambda s: True)
    assert minimal.messages == []
    assert minimal.completion == ""


def test_headers_shrink_to_exactly_what_a_real_axon_sends():
    synapse = StreamPrompting(messages=["hi"])
    minimal = find(strategies.axon_headers(synapse), lambda h: True)
    assert minimal.changes == ()
    names = {name for name, _ in minimal.raw}
    assert {b"bt_header_axon_status_code", b"bt_header_axon_process_time", b"timeout"} <= names
    assert (b"content-type", b"text/event-stream") in minimal.raw


@given(st.data())
def test_header_changes_are_described(data):
    headers = data.draw(strategies.axon_headers(StreamPrompting(messages=["hi"])))
    assert isinstance(headers, HeaderSet)
    assert repr(headers).startswith("HeaderSet(")
    for change in headers.changes:
        assert change.name == "*" or change.name.lower() in repr(headers).lower()


def test_payloads_start_from_the_samples():
    assert find(strategies.payloads(samples=[b"sample"]), lambda p: True) == b"sample"


def test_a_real_forward_can_be_captured():
    chunks = strategies.capture_stream(
        Miner(None, None).forward, StreamPrompting(messages=["one two three four"])
    )
    assert chunks == [b"one two three", b" four"]


def test_capturing_something_that_does_not_stream_says_so():
    with pytest.raises(TypeError, match="did not return a streaming response"):
        strategies.capture_stream(lambda synapse: synapse, StreamPrompting(messages=["x"]))


def test_the_users_bodies_are_drawn_first_and_about_half_the_time():
    from hypothesis import settings

    from simnet.fuzz.inputs import judged_samples, payload_strategy

    body = b'data: {"text": "mine"}\n\n'
    bodies = payload_strategy(judged_samples([body]))
    assert find(bodies, lambda payload: True) == body
    drawn = []

    # Beside another draw, as in a property (alone, hypothesis would not repeat it).
    @settings(max_examples=200, database=None, derandomize=True)
    @given(bodies, st.integers())
    def draw(payload, _):
        drawn.append(payload)

    draw()
    assert drawn.count(body) / len(drawn) > 0.3  # 4 draws in 110 before
