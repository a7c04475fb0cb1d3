"""The reader properties judge validators' streaming readers right, over real httpx and
aiohttp responses, with whichever bittensor is installed."""

import asyncio
import json

import httpx
import pytest

from simnet.readers import (
    PropertyFailed,
    check_reader_chunking,
    check_reader_error_bodies,
    httpx_response,
    run_reader,
)

from . import specimens

SSE = (
    b"".join(
        f"data: {json.dumps({'text': w}, ensure_ascii=False)}\n\n".encode()
        for w in ["h\u00e9llo", "w\u00f6rld", "\u65e5\u672c"]
    )
    + b"data: [DONE]\n\n"
)
NDJSON = b"".join(json.dumps({"token": w}).encode() + b"\n" for w in ["a", "bb", "ccc"])
FEW = 60


def test_a_reader_that_reassembles_lines_holds_both_properties():
    check_reader_chunking(specimens.sse_words, samples=[SSE], max_examples=FEW)
    check_reader_error_bodies(specimens.sse_words, max_examples=FEW)


def test_a_reader_assuming_whole_events_per_read_fails_with_a_replayable_chunking():
    with pytest.raises(PropertyFailed, match="the result depends on chunking") as failed:
        check_reader_chunking(specimens.sse_per_read, samples=[SSE], max_examples=FEW)
    example = failed.value.counterexample
    assert example.client == "httpx"
    assert b"".join(example.chunks) == SSE
    replay = asyncio.run(run_reader(specimens.sse_per_read, example.chunks))
    assert replay.error is not None or replay.result != ["h\u00e9llo", "w\u00f6rld", "\u65e5\u672c"]


def test_decoding_each_read_alone_loses_split_characters():
    with pytest.raises(PropertyFailed, match="the result depends on chunking"):
        check_reader_chunking(specimens.text_ignoring_errors, max_examples=FEW)


def test_an_error_body_read_as_content_is_a_failure_naming_the_status():
    with pytest.raises(PropertyFailed, match=r"the \d{3} error body became content"):
        check_reader_error_bodies(specimens.text_whatever_the_status, max_examples=FEW)


def test_aiohttp_readers_get_real_aiohttp_responses():
    check_reader_chunking(specimens.ndjson_items, samples=[NDJSON], max_examples=FEW)
    with pytest.raises(PropertyFailed, match="the result depends on chunking") as failed:
        check_reader_chunking(specimens.ndjson_per_read, samples=[NDJSON], max_examples=FEW)
    assert failed.value.counterexample.client == "aiohttp"


def test_a_result_that_varies_by_itself_is_a_note_not_a_failure():
    report = check_reader_chunking(specimens.stamped, samples=[NDJSON], max_examples=FEW)
    assert any("varies between reads of the same bytes" in n for n in report.notes)


def test_a_valid_stream_the_reader_cannot_read_is_a_failure():
    with pytest.raises(PropertyFailed, match=r"cannot read a valid stream \(given\)"):
        check_reader_chunking(specimens.ndjson_items, samples=[b"{not json\n"], max_examples=5)


def test_the_response_is_a_real_httpx_response_read_chunk_by_chunk():
    async def pieces():
        response = httpx_response([b"ab", b"c", b"def"])
        return [piece async for piece in response.aiter_raw()]

    assert asyncio.run(pieces()) == [b"ab", b"c", b"def"]
    assert isinstance(httpx_response([]), httpx.Response)


def test_an_unknown_client_is_named():
    with pytest.raises(ValueError, match="unknown client 'requests'; readers are fuzzed with"):
        check_reader_chunking(specimens.sse_words, client="requests")
