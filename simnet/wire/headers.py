"""Response headers as a real axon sends them, and the ways proxies and bugs change them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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


# Versions the supported bittensor releases put in their headers.
RELEASE_VERSIONS = {"9.12": b"9012002", "10.3": b"10003002", "10.5": b"10005000"}
# Changes an honest path makes: proxies re-casing names (HTTP/2 lower-cases them all),
# nginx dropping names with underscores, repeating or reordering headers, adding their
# own, and other bittensor releases' header sets. Any other change only the miner's own
# axon could send.
HONEST_KINDS = frozenset(
    {"recase", "recase-all", "drop-underscored", "repeat", "reverse", "proxy", "release"}
)
PROXY_HEADERS = ("via",)


@dataclass(frozen=True)
class HeaderChange:
    """One change to a header set, with a sentence saying what it does."""

    kind: str
    name: str
    value: bytes = b""
    style: str = "upper"

    @property
    def honest(self) -> bool:
        """Whether a proxy or another bittensor release could make this change."""
        return self.kind in HONEST_KINDS

    def apply(self, headers: RawHeaders) -> RawHeaders:
        target = self.name.encode()
        if self.kind == "recase-all":
            return [(_recase(n, self.style), v) for n, v in headers]
        if self.kind == "drop-underscored":
            return [(n, v) for n, v in headers if b"_" not in n]
        if self.kind == "reverse":
            return headers[::-1]
        if self.kind == "repeat":
            return [p for n, v in headers for p in ([(n, v)] * (2 if n.lower() == target else 1))]
        if self.kind == "release":
            versions = (b"bt_header_axon_version", b"bt_header_dendrite_version")
            return [(n, self.value if n.lower() in versions else v) for n, v in headers]
        if self.kind == "proxy":
            return [*headers, (target, self.value)]
        if self.kind == "recase":
            return [(_recase(n, self.style) if n.lower() == target else n, v) for n, v in headers]
        if self.kind == "drop":
            return [(n, v) for n, v in headers if n.lower() != target]
        if self.kind in ("set", "empty", "non-ascii"):
            return [(n, self.value if n.lower() == target else v) for n, v in headers]
        if self.kind == "duplicate":
            first = next((i for i, (n, _) in enumerate(headers) if n.lower() == target), None)
            if first is None:
                return headers
            return [*headers[: first + 1], (headers[first][0], self.value), *headers[first + 1 :]]
        if self.kind == "extra":
            return [*headers, (target, self.value)]
        raise ValueError(f"unknown header change kind {self.kind!r}")

    def describe(self) -> str:
        """What the change does, in words."""
        if self.kind == "recase-all":
            return (
                "lower-case every name (HTTP/2)"
                if self.style == "lower"
                else f"re-case every name ({self.style})"
            )
        if self.kind == "drop-underscored":
            return "drop every name with an underscore (nginx's default)"
        if self.kind == "reverse":
            return "reverse the order of the headers"
        if self.kind == "repeat":
            return f"repeat {self.name!r} with the same value"
        if self.kind == "release":
            return f"version headers as bittensor {self.name} sends them"
        if self.kind == "proxy":
            return f"a proxy adds {self.name!r}: {self.value!r}"
        if self.kind == "recase":
            return f"re-case {self.name!r} ({self.style})"
        if self.kind == "drop":
            return f"drop {self.name!r}"
        if self.kind == "duplicate":
            return f"duplicate {self.name!r} with value {self.value!r}"
        if self.kind == "extra":
            return f"add unknown header {self.name!r}: {self.value!r}"
        return f"set {self.name!r} to {self.value!r}"


def _recase(name: bytes, style: str) -> bytes:
    if style == "lower":
        return name.lower()
    if style == "upper":
        return name.upper()
    if style == "title":
        return re.sub(rb"(^|[-_])([a-z])", lambda m: m.group(1) + m.group(2).upper(), name)
    return bytes(c ^ 0x20 if chr(c).isalpha() and i % 2 else c for i, c in enumerate(name))


@dataclass(frozen=True)
class HeaderSet:
    """A header set (raw name/value bytes) and the changes that made it from a real one."""

    raw: tuple[tuple[bytes, bytes], ...]
    changes: tuple[HeaderChange, ...] = ()

    @property
    def changed_names(self) -> set[str]:
        """The (lower-case) header names the changes touched."""
        return {change.name.lower() for change in self.changes}

    @property
    def honest(self) -> bool:
        """Whether every change is one an honest path makes."""
        return all(change.honest for change in self.changes)

    def __repr__(self) -> str:
        changes = "; ".join(c.describe() for c in self.changes) or "as a real axon sends them"
        return f"HeaderSet({changes})"


def apply_changes(base: RawHeaders, changes: tuple[HeaderChange, ...]) -> HeaderSet:
    """``base`` with ``changes`` applied in order."""
    headers = list(base)
    for change in changes:
        headers = change.apply(headers)
    return HeaderSet(tuple(headers), changes)


def honest_variations(base: RawHeaders) -> list[HeaderSet]:
    """Every single honest change to ``base``, and ``base`` itself first."""
    names = list(dict.fromkeys(n.decode() for n, _ in base))
    changes = [
        *(HeaderChange("recase-all", "*", style=style) for style in ("lower", "upper", "title")),
        HeaderChange("drop-underscored", "*"),
        HeaderChange("reverse", "*"),
        *(HeaderChange("release", release, value) for release, value in RELEASE_VERSIONS.items()),
        *(HeaderChange("proxy", name, b"1.1 proxy") for name in PROXY_HEADERS),
        *(HeaderChange("recase", name, style="mixed") for name in names),
        *(HeaderChange("repeat", name) for name in names),
    ]
    return [HeaderSet(tuple(base)), *(apply_changes(base, (change,)) for change in changes)]


def header_literal(raw: Any) -> str:
    """Python source for a raw header list, for reproduction snippets."""
    return "[" + ", ".join(f"({n!r}, {v!r})" for n, v in raw) + "]"
