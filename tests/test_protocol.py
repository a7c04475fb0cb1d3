"""The reference protocol's client side, driven by a real aiohttp StreamReader."""

import itertools
import json

import pytest

import simnet
from protocol import StreamDecodeError, StreamPrompting
from simnet import WalletFactory
from simnet._compat import Dendrite
from simnet.fuzz.response import StreamedResponse

TEXT = "añb日🎉c"
PAYLOAD = TEXT.encode()
AXON_HEADERS = [
    (b"name", b"StreamPrompting"),
    (b"timeout", b"12.0"),
    (b"total_size", b"4021"),
    (b"header_size", b"0"),
    (b"bt_header_axon_status_code", b"200"),
    (b"bt_header_axon_status_message", b"Success"),
    (b"bt_header_axon_process_time", b"0.0012"),
    (b"bt_header_axon_hotkey", b"5FHTGFLLDADr3DsMjqNBG3bUv5fsViPzdhLKHG6usHgbqZ6L"),
    (b"bt_header_dendrite_nonce", b"1764000000000000000"),
    (b"bt_header_dendrite_uuid", b"1c1b4c8e-c98f-11f0-a8a9-0242ac110002"),
]


async def _stream(chunks, raw_headers=AXON_HEADERS, status=200, synapse=None):
    synapse = synapse or StreamPrompting(roles=["user"], messages=["prompt"])
    async with StreamedResponse(chunks, raw_headers=raw_headers, status=status) as response:
        yielded = [piece async for piece in synapse.process_streaming_response(response)]
        extracted = synapse.extract_response_json(response)
    return synapse, yielded, extracted


def _splits(payload: bytes, cuts: int):
    for points in itertools.combinations(range(1, len(payload)), cuts):
        bounds = (0, *points, len(payload))
        yield [payload[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.mark.asyncio
async def test_every_split_of_the_bytes_gives_the_same_completion():
    splits = [[PAYLOAD], *_splits(PAYLOAD, 1), *_splits(PAYLOAD, 2), [bytes([b]) for b in PAYLOAD]]
    for chunks in splits:
        synapse, yielded, extracted = await _stream(chunks)
        assert synapse.completion == TEXT, chunks
        assert "".join(yielded) == TEXT, chunks
        assert extracted["completion"] == TEXT


@pytest.mark.asyncio
async def test_invalid_utf8_raises_naming_the_byte_offset_and_keeps_what_was_decoded():
    synapse = StreamPrompting(messages=["prompt"])
    pieces: list[str] = []

    async def consume() -> None:
        async with StreamedResponse([b"abc", b"d\xffe"]) as response:
            async for piece in synapse.process_streaming_response(response):
                pieces.append(piece)

    with pytest.raises(StreamDecodeError, match="at byte 4 of the stream"):
        await consume()
    assert pieces == ["abc", "d"]
    assert synapse.completion == "abcd"


@pytest.mark.asyncio
async def test_a_stream_cut_inside_a_character_raises_at_the_end():
    synapse = StreamPrompting(messages=["prompt"])
    with pytest.raises(StreamDecodeError, match="at byte 2 of the stream"):
        await _stream([b"ab", "日".encode()[:2]], synapse=synapse)
    assert synapse.completion == "ab"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (403, "Forbidden. Key is blacklisted: hotkey X is not registered on netuid 8."),
        (401, "Not Verified with error: Signature mismatch"),
        (408, "Response timeout after: 12.0s"),
        (500, "Internal Server Error #1234"),
    ],
)
async def test_an_error_body_never_becomes_completion(status, message):
    body = json.dumps({"message": message}).encode()
    sent = StreamPrompting(messages=["prompt"], completion="as sent")

    synapse, yielded, extracted = await _stream([body], status=status, synapse=sent)

    assert yielded == []
    assert synapse.completion == "as sent"
    assert extracted["completion"] == "as sent"
    assert extracted["message"] == message


@pytest.mark.asyncio
async def test_a_non_json_error_body_becomes_the_message_not_the_completion():
    synapse, _, extracted = await _stream([b"<html>bad gateway</html>"], status=502)
    assert synapse.completion == ""
    assert extracted["message"] == "<html>bad gateway</html>"


@pytest.mark.asyncio
async def test_headers_keep_full_field_names():
    _, _, extracted = await _stream([b"x"])

    assert extracted["axon"]["status_code"] == "200"
    assert extracted["axon"]["process_time"] == "0.0012"
    assert extracted["axon"]["status_message"] == "Success"
    assert extracted["dendrite"]["uuid"] == "1c1b4c8e-c98f-11f0-a8a9-0242ac110002"
    assert (extracted["timeout"], extracted["total_size"]) == (12.0, 4021)


@pytest.mark.asyncio
async def test_header_names_are_read_case_insensitively():
    recased = [(name.upper(), value) for name, value in AXON_HEADERS]

    _, _, plain = await _stream([b"x"])
    _, _, upper = await _stream([b"x"], raw_headers=recased)

    assert upper == plain


@pytest.mark.asyncio
async def test_the_first_of_duplicated_headers_wins():
    duplicated = [(b"Timeout", b"3.5"), *AXON_HEADERS]
    _, _, extracted = await _stream([b"x"], raw_headers=duplicated)
    assert extracted["timeout"] == 3.5


@pytest.mark.asyncio
@pytest.mark.parametrize("value", [b"abc", b"-1", b"nan", b"inf", b"", b"1e999"])
async def test_a_malformed_number_falls_back_to_the_sent_value_and_is_recorded(value):
    headers = [(b"timeout", value), *AXON_HEADERS[2:]]
    synapse, _, extracted = await _stream([b"x"], raw_headers=headers)

    assert extracted["timeout"] == synapse.timeout == 12.0
    assert any(
        problem.startswith("header 'timeout' has malformed value")
        for problem in synapse.header_problems
    )


@pytest.mark.asyncio
async def test_missing_metadata_falls_back_to_the_sent_values():
    synapse, _, extracted = await _stream([b"x"], raw_headers=[])

    assert extracted["name"] == "StreamPrompting"
    assert (extracted["timeout"], extracted["total_size"], extracted["header_size"]) == (12.0, 0, 0)
    assert extracted["axon"] == extracted["dendrite"] == {}
    assert "header 'timeout' is missing; kept 12.0" in synapse.header_problems


@pytest.mark.asyncio
async def test_bad_terminal_headers_are_left_out_and_recorded():
    headers = [
        (b"bt_header_axon_status_code", b"two hundred"),
        (b"bt_header_axon_frobnicate", b"1"),
        (b"bt_header_axon_ip", "ä-nön-ütf8".encode("latin-1")),
    ]
    synapse, _, extracted = await _stream([b"x"], raw_headers=headers)

    assert "status_code" not in extracted["axon"]
    assert "frobnicate" not in extracted["axon"]
    assert extracted["axon"]["ip"] == "ä-nön-ütf8".encode("latin-1").decode(
        "utf-8", "surrogateescape"
    )
    assert "header 'bt_header_axon_status_code' has malformed value 'two hundred'" in (
        synapse.header_problems
    )
    assert (
        "header 'bt_header_axon_frobnicate' names no TerminalInfo field" in synapse.header_problems
    )


@pytest.mark.asyncio
async def test_the_real_dendrite_accepts_what_extract_response_json_returns(tmp_path):
    synapse, _, extracted = await _stream([PAYLOAD])
    with simnet.offline():
        dendrite = Dendrite(wallet=WalletFactory(tmp_path)("validator"))

    async with StreamedResponse([], raw_headers=AXON_HEADERS) as response:
        dendrite.process_server_response(response, extracted, synapse)

    assert synapse.completion == TEXT
    assert synapse.axon.status_code == 200
    assert synapse.axon.process_time == 0.0012
    assert synapse.messages == ["prompt"]
