"""The ways a response's headers change between a real axon and the validator: what proxies
and HTTP stacks do to *responses* (honest: a validator must not be affected), and what
only a miner's own axon could send (malformed: a note unless the validator is harmed).

Each honest change cites what makes it; a change no proxy or HTTP stack makes to a
response is not honest, whatever it does to requests (nginx drops underscored names only
from client *request* headers: ``underscores_in_headers``, ``ignore_invalid_headers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from simnet.wire.headers import RawHeaders

# Versions the supported bittensor releases put in their headers.
RELEASE_VERSIONS = {"9.12": b"9012002", "10.3": b"10003002", "10.5": b"10005000"}
HONEST: dict[tuple[str, str], str] = {
    # (kind, style): where a real response gets this change.
    ("recase-all", "lower"): "HTTP/2 and HTTP/3 send names lower-cased (RFC 9113 8.2.1, "
    "RFC 9114 4.2); Envoy lower-cases HTTP/1 names by default",
    ("recase-all", "canonical"): "Go's net/http (Traefik, Caddy) writes names in "
    "CanonicalMIMEHeaderKey form",
    ("sort", ""): "Go's net/http writes a header set sorted by name; the order of "
    "different names is not significant (RFC 9110 5.3)",
    ("proxy", ""): "a proxy adds Via (RFC 9110 7.6.3)",
    ("release", ""): "another bittensor release's axon",
}
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
        """Whether a proxy, an HTTP stack or another bittensor release makes this change to
        a response (:data:`HONEST` says where)."""
        return self._source is not None

    @property
    def _source(self) -> str | None:
        return HONEST.get((self.kind, self.style if self.kind == "recase-all" else ""))

    def apply(self, headers: RawHeaders) -> RawHeaders:
        target = self.name.encode()
        if self.kind == "recase-all":
            return [(_recase(n, self.style), v) for n, v in headers]
        if self.kind == "sort":
            return sorted(headers, key=lambda pair: pair[0].lower())
        if self.kind == "drop-underscored":
            return [(n, v) for n, v in headers if b"_" not in n]
        if self.kind == "reverse":
            return headers[::-1]
        if self.kind == "repeat":
            return [p for n, v in headers for p in ([(n, v)] * (2 if n.lower() == target else 1))]
        if self.kind == "release":
            versions = (b"bt_header_axon_version", b"bt_header_dendrite_version")
            return [(n, self.value if n.lower() in versions else v) for n, v in headers]
        if self.kind in ("proxy", "extra"):
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
        raise ValueError(f"unknown header change kind {self.kind!r}")

    def describe(self) -> str:
        """What the change does, in words (for an honest one, who makes it)."""
        source = self._source
        return f"{self._what()} ({source})" if source else self._what()

    def _what(self) -> str:
        if self.kind == "recase-all":
            return {"lower": "lower-case every name", "canonical": "every name in Go's form"}.get(
                self.style, f"re-case every name ({self.style})"
            )
        if self.kind == "drop-underscored":
            return "drop every name with an underscore (nginx does it to requests, not responses)"
        fixed = {"sort": "sort the headers by name", "reverse": "reverse the order of the headers"}
        if self.kind in fixed:
            return fixed[self.kind]
        named = {
            "repeat": "repeat {name!r} with the same value",
            "release": "version headers as bittensor {name} sends them",
            "proxy": "a proxy adds {name!r}: {value!r}",
            "recase": "re-case {name!r} ({style})",
            "drop": "drop {name!r}",
            "duplicate": "duplicate {name!r} with value {value!r}",
            "extra": "add unknown header {name!r}: {value!r}",
        }
        template = named.get(self.kind, "set {name!r} to {value!r}")
        return template.format(name=self.name, value=self.value, style=self.style)


def _recase(name: bytes, style: str) -> bytes:
    if style == "lower":
        return name.lower()
    if style == "upper":
        return name.upper()
    if style == "canonical":
        return _go_canonical(name)
    if style == "title":
        return re.sub(rb"(^|[-_])([a-z])", lambda m: m.group(1) + m.group(2).upper(), name)
    return bytes(c ^ 0x20 if chr(c).isalpha() and i % 2 else c for i, c in enumerate(name))


def _go_canonical(name: bytes) -> bytes:
    """Go's ``CanonicalMIMEHeaderKey``: the first letter and any letter after a hyphen
    upper-cased, the rest lower-cased; a name with a byte outside the token set is left
    as it is."""
    token = re.fullmatch(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", name)
    if token is None:
        return name
    upper, out = True, bytearray()
    for c in name.lower():
        out.append(c - 32 if upper and 0x61 <= c <= 0x7A else c)
        upper = c == 0x2D
    return bytes(out)


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
    """Every single honest change to ``base`` (see :data:`HONEST`), ``base`` itself first."""
    changes = [
        *(HeaderChange("recase-all", "*", style=style) for style in ("lower", "canonical")),
        HeaderChange("sort", "*"),
        *(HeaderChange("release", release, value) for release, value in RELEASE_VERSIONS.items()),
        *(HeaderChange("proxy", name, b"1.1 proxy") for name in PROXY_HEADERS),
    ]
    return [HeaderSet(tuple(base)), *(apply_changes(base, (change,)) for change in changes)]


def header_literal(raw: Any) -> str:
    """Python source for a raw header list, for reproduction snippets."""
    return "[" + ", ".join(f"({n!r}, {v!r})" for n, v in raw) + "]"
