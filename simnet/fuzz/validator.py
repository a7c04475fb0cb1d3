"""What a validator sees of one streamed response: the real dendrite's own processing.

A header variation matters only through its effect. The dendrite's ``call_stream`` runs
the protocol's ``process_streaming_response`` and ``extract_response_json``, merges the
result with ``process_server_response`` (which re-reads the headers itself), turns any
exception into an error status with ``process_error_message``, then serializes the
synapse again. :func:`validator_view` does exactly that with the installed bittensor's
dendrite, for the protocol's own extraction and for a reference one that reads the
headers as bittensor does, so the two can be compared.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simnet._compat import AxonInfo, Dendrite, Synapse, TerminalInfo, quiet_bittensor_logging
from simnet._wallets import keypair_for
from simnet.fuzz.response import StreamedResponse
from simnet.fuzz.runs import url_for, user_fields
from simnet.sandbox.offline import LOOPBACK_IP, offline

Extract = Callable[[Synapse, StreamedResponse], Any]

# What the validator reads of the axon's answer, besides the synapse's own fields.
TERMINAL_KEYS = ("status_code", "status_message", "process_time")


@dataclass(frozen=True)
class View:
    """What the validator holds after one query: the answer's status as the dendrite
    records it, the synapse's own fields, the extracted dict, and any exception that
    escapes the dendrite."""

    terminal: dict[str, Any]
    fields: dict[str, Any]
    extracted: Any
    raised: tuple[str, str] | None
    escaped: tuple[str, str] | None
    raised_in: str | None = None
    """Which step raised ``raised``: the protocol's ``process_streaming_response`` or
    ``extract_response_json``, or the dendrite's ``process_server_response``."""


class Validator:
    """A real dendrite (offline, with a fixed key) and the axon it queries."""

    def __init__(self) -> None:
        quiet_bittensor_logging()  # it logs every error the dendrite records
        with offline():
            self.dendrite = Dendrite(wallet=keypair_for("hotkey", "simnet-property"))
        miner = keypair_for("hotkey", "miner")
        self.axon = AxonInfo(
            version=0,
            ip=LOOPBACK_IP,
            port=8091,
            ip_type=4,
            hotkey=miner.ss58_address,
            coldkey=miner.ss58_address,
        )

    @classmethod
    @functools.cache
    def shared(cls) -> Validator:
        """One per process: a dendrite dropped while a loop runs warns from ``__del__``
        (in the user's next test), so simnet keeps its own for the process's life."""
        return cls()

    def prepare(self, synapse: Synapse) -> Synapse:
        """``synapse`` as the dendrite sends it (terminal infos filled in, signed)."""
        return self.dendrite.preprocess_synapse_for_request(
            self.axon, synapse.model_copy(deep=True), 12.0
        )

    async def view(
        self,
        prepared: Synapse,
        chunks: Sequence[bytes],
        raw_headers: Sequence[tuple[bytes, bytes]],
        *,
        status: int = 200,
        extract: Extract | None = None,
        escapes: bool = True,
    ) -> View:
        """What the validator sees when the axon answers ``prepared`` with this response
        (``escapes=False`` skips checking for exceptions escaping the dendrite)."""
        local = prepared.model_copy(deep=True)
        extracted: Any = None
        raised = escaped = None
        stage = "process_streaming_response"
        try:
            async with StreamedResponse(
                chunks, raw_headers=raw_headers, status=status, url=url_for(local)
            ) as response:
                async for _ in local.process_streaming_response(response):  # type: ignore[attr-defined]
                    pass
                stage = "extract_response_json"
                if extract is None:
                    extracted = local.extract_response_json(response)  # type: ignore[attr-defined]
                else:
                    extracted = extract(local, response)
                double: Any = response
                stage = "process_server_response"
                self.dendrite.process_server_response(double, extracted, local)
            local.dendrite.process_time = "0.001"  # type: ignore[union-attr]  # call_stream sets it
        except Exception as exc:
            raised = (type(exc).__name__, str(exc))
            local = self.dendrite.process_error_message(local, type(local).__name__, exc)
        if escapes:
            escaped = _escaping(local)
        axon = local.axon or TerminalInfo()
        terminal = {key: getattr(axon, key) for key in TERMINAL_KEYS}
        dendrite = local.dendrite or TerminalInfo()
        terminal["dendrite_status_code"] = dendrite.status_code
        terminal["dendrite_status_message"] = dendrite.status_message
        return View(
            terminal, user_fields(local), extracted, raised, escaped, stage if raised else None
        )


def _escaping(local: Synapse) -> tuple[str, str] | None:
    """What ``call_stream`` does after its try block; an exception here reaches the
    validator's own code."""
    try:
        Synapse.from_headers(local.to_headers())
        local.deserialize()
    except Exception as exc:
        return (type(exc).__name__, str(exc))
    return None


def reference_extract(synapse: Synapse, response: StreamedResponse) -> dict[str, Any]:
    """What a protocol that reads headers right returns: bittensor's own header parsing
    of the response, and the fields the stream filled in."""
    try:
        parsed = Synapse.from_headers(response.headers)  # type: ignore[arg-type]
        headers = parsed.model_dump(include={"name", "timeout", "axon", "dendrite"})
    except Exception:
        headers = {}  # the dendrite's own merge refuses these headers too
    return {**headers, **user_fields(synapse)}


def terminal_dicts(extracted: Any) -> dict[str, Any]:
    """The ``axon``/``dendrite`` entries of an extracted dict, as ``TerminalInfo`` reads them."""
    if not isinstance(extracted, dict):
        return {}
    result: dict[str, Any] = {}
    for side in ("axon", "dendrite"):
        try:
            info = TerminalInfo(**(extracted.get(side) or {}))
            result[side] = info.model_dump(include=set(TERMINAL_KEYS))
        except Exception as exc:
            result[side] = type(exc).__name__
    return result
