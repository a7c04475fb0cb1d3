"""Response headers and error bodies as a real axon sends them (the ways proxies and bugs
change them are :mod:`simnet.fuzz.variations`')."""

from __future__ import annotations

from simnet._compat import Synapse, TerminalInfo
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.sandbox.wallets import keypair_for

RawHeaders = list[tuple[bytes, bytes]]

METADATA_HEADERS = ("name", "timeout", "total_size", "header_size")
NUMERIC_HEADERS = (
    "timeout",
    "total_size",
    "header_size",
    "bt_header_axon_status_code",
    "bt_header_axon_process_time",
    "bt_header_axon_port",
    "bt_header_axon_version",
    "bt_header_axon_nonce",
    "bt_header_dendrite_version",
    "bt_header_dendrite_nonce",
)
ERROR_MESSAGES = {
    401: "Not Verified with error: Signature mismatch with 1764.5Fab.5Gcd.uuid.hash and 0x00",
    403: "Forbidden. Key is blacklisted: hotkey is not registered.",
    404: "Synapse name 'Unknown' not found. Available synapses ['Synapse']",
    408: "Response timeout after: 12.0s",
    500: "Internal Server Error #8c1e0e52-5f3a-4a0e-9a57-2f5b8e2d8f0a",
    503: "Service at capacity.",
}


def axon_response_headers(synapse: Synapse, *, status: int = 200) -> RawHeaders:
    """The headers a real axon sends back for ``synapse``, in the order it sends them.

    For a 200 they describe a stream (``text/event-stream``, chunked); for other
    statuses they describe the axon's JSON error body.
    """
    answered = synapse.model_copy(deep=True)
    miner, validator = keypair_for("hotkey", "miner"), keypair_for("hotkey", "validator")
    nonce = 1_764_000_000_000_000_000
    answered.dendrite = TerminalInfo(
        ip=LOOPBACK_IP,
        port=50123,
        version=10_005_000,
        nonce=nonce,
        uuid="5f1d8a2e-c98f-11f0-a8a9-0242ac110002",
        hotkey=validator.ss58_address,
        signature="0x" + "ab" * 64,
    )
    answered.axon = TerminalInfo(
        status_code=status,
        status_message="Success" if status == 200 else ERROR_MESSAGES.get(status, "Error"),
        process_time=0.0012,
        ip=LOOPBACK_IP,
        port=8091,
        version=10_005_000,
        nonce=nonce + 1,
        uuid="6a2e9b3f-c98f-11f0-a8a9-0242ac110002",
        hotkey=miner.ss58_address,
        signature="0x" + "cd" * 64,
    )
    headers = answered.to_headers()
    raw = [(name.encode(), str(value).encode()) for name, value in headers.items()]
    if status == 200:
        return [(b"content-type", b"text/event-stream"), *raw, (b"transfer-encoding", b"chunked")]
    return [*raw, (b"content-type", b"application/json")]


def error_body(status: int) -> bytes:
    """The JSON body a real axon sends with an error status."""
    message = ERROR_MESSAGES.get(status, f"Error {status}")
    return ('{"message":"' + message.replace('"', '\\"') + '"}').encode()
