"""Canned axon responses through aioresponses (implementation of :mod:`simnet.mocking`)."""

from __future__ import annotations

from typing import Any

from simnet._compat import Synapse
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.wire.headers import axon_response_headers, error_body


def mock_axon(
    mocked: Any,
    axon: Any,
    synapse: Synapse,
    *,
    body: bytes | None = None,
    status: int = 200,
    repeat: bool = False,
) -> str:
    """Answer the next POST for ``synapse``'s class to ``axon`` (an ``AxonInfo``) with
    ``body`` (default: the axon's JSON error body for an error ``status``) and a real
    axon's headers. Returns the URL mocked."""
    if body is None:
        body = error_body(status) if status >= 400 else b""
    headers = {
        name.decode(): value.decode()
        for name, value in axon_response_headers(synapse, status=status)
    }
    headers.pop("transfer-encoding", None)  # the mock sends a plain body
    path = f"{axon.port}/{type(synapse).__name__}"
    url = f"http://{axon.ip}:{path}"
    mocked.post(url, status=status, body=body, headers=headers, repeat=repeat)
    if axon.ip == LOOPBACK_IP:
        # bittensor's dendrite dials 0.0.0.0 for an axon on its own external IP, and under
        # simnet every neuron's external IP is 127.0.0.1.
        mocked.post(
            f"http://0.0.0.0:{path}", status=status, body=body, headers=headers, repeat=repeat
        )
    return url
