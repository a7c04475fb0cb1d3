"""Request signatures that need no bittensor: Epistula v2, and the ``bt_header_*`` headers
a 9.x/10.x dendrite sends. Any keypair-like hotkey (``.ss58_address``, ``.sign``) signs;
both stacks use them (``simnet.v11.sign_headers``)."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Sequence
from typing import Any


def _sha3(text: str) -> str:
    return hashlib.sha3_256(text.encode()).hexdigest()


DENDRITE_VERSION = 10_005_000
"""The ``bt_header_dendrite_version`` the legacy headers carry (bittensor 10.5.0)."""


def epistula_headers(
    wallet: Any, *, body: bytes, receiver: str | None = None, nonce_ns: int | None = None
) -> dict[str, str]:
    """Epistula v2 headers: the hotkey signs ``sha256(body).uuid.timestamp_ms.signed_for``."""
    hotkey = wallet.hotkey
    timestamp = (time.time_ns() if nonce_ns is None else nonce_ns) // 1_000_000
    request_id = str(uuid.uuid4())
    message = f"{hashlib.sha256(body).hexdigest()}.{request_id}.{timestamp}.{receiver or ''}"
    headers = {
        "Epistula-Version": "2",
        "Epistula-Timestamp": str(timestamp),
        "Epistula-Uuid": request_id,
        "Epistula-Signed-By": hotkey.ss58_address,
        "Epistula-Request-Signature": "0x" + bytes(hotkey.sign(message.encode())).hex(),
    }
    if receiver is not None:
        headers["Epistula-Signed-For"] = receiver
    return headers


def dendrite_headers(
    wallet: Any,
    *,
    target: str,
    receiver: str | None,
    nonce_ns: int | None = None,
    hashed: Sequence[Any] = (),
) -> dict[str, str]:
    """The headers a 9.x/10.x dendrite sends for a synapse named by the target's first path
    segment: the hotkey signs ``nonce.hotkey.axon_hotkey.uuid.body_hash``. ``hashed`` are
    the values of the synapse's ``required_hash_fields``, in order (none for most
    synapses), hashed as bittensor's ``Synapse.body_hash`` does. A dendrite also sends the
    synapse's own headers (``synapse.to_headers()``: ``header_size``, ``total_size``,
    ``bt_header_input_obj_*``); add them when the receiver parses a synapse."""
    if receiver is None:
        raise ValueError("the dendrite scheme signs for an axon's hotkey: give receiver=")
    hotkey = wallet.hotkey
    nonce = time.time_ns() if nonce_ns is None else nonce_ns
    request_id = str(uuid.uuid1())
    body_hash = _sha3("".join(_sha3(str(value)) for value in hashed))
    message = f"{nonce}.{hotkey.ss58_address}.{receiver}.{request_id}.{body_hash}"
    return {
        "name": target.lstrip("/").split("/")[0].split("?")[0],
        "timeout": "12.0",
        "bt_header_axon_hotkey": receiver,
        "bt_header_dendrite_ip": "127.0.0.1",
        "bt_header_dendrite_version": str(DENDRITE_VERSION),
        "bt_header_dendrite_nonce": str(nonce),
        "bt_header_dendrite_uuid": request_id,
        "bt_header_dendrite_hotkey": hotkey.ss58_address,
        "bt_header_dendrite_signature": "0x" + bytes(hotkey.sign(message.encode())).hex(),
        "computed_body_hash": body_hash,
    }
