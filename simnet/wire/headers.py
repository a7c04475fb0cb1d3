"""Response headers and error bodies as a real axon sends them (the ways proxies and bugs
change them are :mod:`simnet.fuzz.variations`')."""

from __future__ import annotations

from typing import Any

from simnet.sandbox.offline import LOOPBACK_IP

RawHeaders = list[tuple[bytes, bytes]]

MINER_HOTKEY = "5FbSPCrmVwNPDCGHoZLim2eKby1XFmEZethn5C5ayREmZoDF"
"""The address of simnet's deterministic hotkey ``("hotkey", "miner")`` (tests/test_wallets.py
checks it is ``simnet._wallets.keypair_for``'s)."""
VALIDATOR_HOTKEY = "5FNtzUcsK5eYtgma14LCAVh9ZGMqu8cSucYmf1s5KBXGYSZc"
"""The address of simnet's deterministic hotkey ``("hotkey", "validator")``."""

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


def axon_response_headers(synapse: Any, *, status: int = 200) -> RawHeaders:
    """The headers a real axon sends back for ``synapse`` (a bittensor ``Synapse``), in
    the order it sends them.

    For a 200 they describe a stream (``text/event-stream``, chunked); for other
    statuses they describe the axon's JSON error body.
    """
    answered = synapse.model_copy(deep=True)
    terminal_info = _terminal_info(type(synapse))
    nonce = 1_764_000_000_000_000_000
    answered.dendrite = terminal_info(
        ip=LOOPBACK_IP,
        port=50123,
        version=10_005_000,
        nonce=nonce,
        uuid="5f1d8a2e-c98f-11f0-a8a9-0242ac110002",
        hotkey=VALIDATOR_HOTKEY,
        signature="0x" + "ab" * 64,
    )
    answered.axon = terminal_info(
        status_code=status,
        status_message="Success" if status == 200 else ERROR_MESSAGES.get(status, "Error"),
        process_time=0.0012,
        ip=LOOPBACK_IP,
        port=8091,
        version=10_005_000,
        nonce=nonce + 1,
        uuid="6a2e9b3f-c98f-11f0-a8a9-0242ac110002",
        hotkey=MINER_HOTKEY,
        signature="0x" + "cd" * 64,
    )
    headers = answered.to_headers()
    raw = [(name.encode(), str(value).encode()) for name, value in headers.items()]
    if status == 200:
        return [(b"content-type", b"text/event-stream"), *raw, (b"transfer-encoding", b"chunked")]
    return [*raw, (b"content-type", b"application/json")]


def _terminal_info(synapse_class: Any) -> Any:
    """bittensor's ``TerminalInfo``, as the synapse class's own ``dendrite`` default."""
    return type(synapse_class.model_fields["dendrite"].get_default(call_default_factory=True))


def error_body(status: int) -> bytes:
    """The JSON body a real axon sends with an error status."""
    message = ERROR_MESSAGES.get(status, f"Error {status}")
    return ('{"message":"' + message.replace('"', '\\"') + '"}').encode()
