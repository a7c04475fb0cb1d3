"""The signed-request contract of a btauth/1 miner, checked with real keys.

:func:`assert_rejects_forgeries` sends a miner one valid request, the forgeries a network
meets (a forged signature, a replayed nonce, a stale and a future nonce, a wrong and a
missing receiver, a tampered body, an unregistered caller, a 64 KiB hotkey header) and
malformed requests (unsigned, each btauth/1 header missing in turn, nonces and signatures
that are not numbers or hex, empty or very long), each built with the SDK's own
``http_auth.sign`` and real keys. It fails unless every forgery and malformed request is
refused with a 4xx and valid traffic (also with a percent-encoded query, signed as sent)
is served. A 5xx is never an acceptable answer. The miner is one simnet serves, or any
HTTP server given by its URL and hotkey (a server the test runs itself, a process).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from simnet.sandbox.offline import LOOPBACK_IP
from simnet.v11.auth import sign_headers
from simnet.v11.network import Network, ServedApp
from simnet.v11.sdk import http_auth

VALID = ("valid", "encoded_query")
"""Requests that must be served (2xx or 3xx)."""
FORGERIES = (
    "forged_signature",
    "replayed_nonce",
    "stale_nonce",
    "future_nonce",
    "wrong_receiver",
    "missing_receiver",
    "tampered_body",
    "unregistered_caller",
    "unpermitted_caller",
    "oversized_hotkey",
)
"""Signed requests that must be refused with a 4xx."""
MALFORMED_VALUE_CHARS = 5000
"""Length of the very long nonce and signature: past Python's 4300-digit ``int()`` limit,
well under any server's header limit, so the miner's own code sees it."""
_MISSING = {
    "missing_version": http_auth.HEADER_VERSION,
    "missing_hotkey": http_auth.HEADER_HOTKEY,
    "missing_nonce": http_auth.HEADER_NONCE,
    "missing_signature": http_auth.HEADER_SIGNATURE,
}
_BAD_VALUES = {
    "nonce_not_a_number": (http_auth.HEADER_NONCE, "not-a-number"),
    "nonce_empty": (http_auth.HEADER_NONCE, ""),
    "nonce_too_long": (http_auth.HEADER_NONCE, "9" * MALFORMED_VALUE_CHARS),
    "signature_not_hex": (http_auth.HEADER_SIGNATURE, "0x" + "zz" * 64),
    "signature_empty": (http_auth.HEADER_SIGNATURE, ""),
    "signature_too_long": (http_auth.HEADER_SIGNATURE, "0x" + "ab" * (MALFORMED_VALUE_CHARS // 2)),
}
MALFORMED = ("unsigned", *_MISSING, *_BAD_VALUES)
"""Requests without btauth/1 headers, or with one missing or unparseable, that must be
refused with a 4xx (a miner that parses one itself before ``verify`` answers 500)."""
CHECKS = VALID + FORGERIES + MALFORMED
DEFAULT_CHECKS = tuple(c for c in CHECKS if c != "unpermitted_caller")
"""What every btauth/1 miner must do; ``unpermitted_caller`` (a registered hotkey without
a validator permit) only for miners that serve validators alone: pass it in ``checks``."""
OVERSIZED_HOTKEY_BYTES = 64 * 1024
OVERSIZED_BUDGET = 0.5
"""Seconds a miner may take to refuse a 64 KiB hotkey header (11.3.0's ``verify`` spends
over a second decoding one when nothing bounds the header first)."""
CLOSED = 0
"""``Rejection.status`` of a request the miner closed the connection on without an answer:
servers refuse an oversized header that way, often while the request is still being sent,
so the client may never read the 400 they wrote first."""
_OFF_WINDOW_NS = 60 * 10**9  # far outside btauth/1's default window (10 s back, 2 s ahead)


@dataclass(frozen=True)
class Rejection:
    """How the miner answered one check."""

    check: str
    status: int
    seconds: float
    body: str
    request: str = ""
    """What was sent, in one line (method, target and how it differs from valid traffic)."""

    @property
    def served(self) -> bool:
        return 200 <= self.status < 400

    @property
    def refused(self) -> bool:
        """A 4xx, or the connection closed without an answer: not served either way."""
        return 400 <= self.status < 500 or self.status == CLOSED

    def describe(self) -> str:
        """How it was answered, for a report line."""
        how = "left unanswered" if self.status == CLOSED else f"answered {self.status}"
        sent = f" (sent: {self.request})" if self.request else ""
        return f"{how} in {self.seconds:.2f} s: {self.body[:120]!r}{sent}"


class ContractViolation(AssertionError):
    """The miner broke its signed-request contract; one line per broken check."""


async def assert_rejects_forgeries(
    net: Network,
    miner: ServedApp | str,
    *,
    caller: Any,
    hotkey: str | None = None,
    netuid: int | None = None,
    path: str = "/",
    method: str = "POST",
    body: bytes = b"{}",
    headers: dict[str, str] | None = None,
    checks: Iterable[str] = DEFAULT_CHECKS,
) -> dict[str, Rejection]:
    """Run ``checks`` against ``miner`` as ``caller`` (a registered wallet; with a permit
    if the miner wants one) and raise :class:`ContractViolation` unless each valid request
    is served, each forgery and malformed request refused with a 4xx, and nothing answered
    with a 5xx.

    ``miner`` is what ``net.serve`` returned, or the URL of any miner (``http://host:port``,
    e.g. one the test runs itself or a process) with ``hotkey=``, its ss58 address,
    registered on ``net``'s chain (``netuid=`` when it is registered on several subnets).
    """
    wanted = list(checks)
    unknown = [c for c in wanted if c not in CHECKS]
    if unknown:
        raise ValueError(
            f"unknown check(s) {', '.join(unknown)}; the checks are {', '.join(CHECKS)}"
        )
    target = _target(net, miner, hotkey, netuid)
    contract = _Contract(net, target, caller, path, method, body, dict(headers or {}))
    results = {check: await contract.run(check) for check in wanted}
    broken = [line for r in results.values() if (line := _broken(r))]
    if broken:
        raise ContractViolation(
            f"miner {target.hotkey} ({target.url}) broke its signed-request contract:\n"
            + "\n".join(broken)
        )
    return results


@dataclass(frozen=True)
class _Target:
    url: str
    hotkey: str
    netuid: int
    served: bool
    """Served by the network: reached over its transport (else over TCP)."""


def _target(
    net: Network, miner: ServedApp | str, hotkey: str | None, netuid: int | None
) -> _Target:
    """The miner to check; ``ValueError`` (one line naming it) for a miner that cannot be."""
    if isinstance(miner, ServedApp):
        if hotkey not in (None, miner.hotkey):
            raise ValueError(f"hotkey={hotkey!r} is not the served miner's hotkey {miner.hotkey}")
        if netuid not in (None, miner.netuid):
            raise ValueError(f"netuid={netuid} is not the served miner's netuid {miner.netuid}")
        return _Target(miner.url, miner.hotkey, miner.netuid, served=True)
    url = _base_url(miner)
    if hotkey is None:
        raise ValueError(f"pass hotkey= (the ss58 address of the miner at {url}) with a URL")
    served = next((s for s in net.served if _base_url(s.url) == _loopback(url)), None)
    if served is not None and served.hotkey != hotkey:
        raise ValueError(f"the miner served at {url} is {served.hotkey}, not hotkey {hotkey}")
    return _Target(url, hotkey, _netuid(net, hotkey, netuid), served=served is not None)


def _base_url(raw: Any) -> str:
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host or url.query:
        raise ValueError(
            f"miner {raw!r} is neither a served miner nor a URL like http://127.0.0.1:8091"
        )
    if url.path not in ("", "/"):
        raise ValueError(
            f"miner URL {raw!r} has a path: give the miner's address and path={url.path!r}"
        )
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def _loopback(url: str) -> str:
    return url.replace("://localhost:", f"://{LOOPBACK_IP}:", 1)


def _netuid(net: Network, hotkey: str, netuid: int | None) -> int:
    registered = [n for n in net.chain.netuids() if net.chain.is_registered(n, hotkey)]
    if netuid is not None and netuid not in registered:
        raise ValueError(f"hotkey {hotkey!r} is not registered on netuid {netuid}")
    if netuid is not None:
        return netuid
    if not registered:
        raise ValueError(
            f"hotkey {hotkey!r} is not registered on any subnet of the network's chain"
        )
    if len(registered) > 1:
        raise ValueError(
            f"hotkey {hotkey} is registered on netuids {registered}: pass netuid= for the miner's"
        )
    return registered[0]


def _broken(result: Rejection) -> str | None:
    answer = result.describe()
    if result.status >= 500:
        return f"- {result.check}: {answer} (never a 5xx)"
    if result.check in VALID and not result.served:
        return f"- {result.check}: a valid signed request was {answer}"
    if result.check not in VALID and not result.refused:
        kind = "forgery" if result.check in FORGERIES else "malformed request"
        return f"- {result.check}: the {kind} was {answer} (expected a 4xx)"
    if result.check == "oversized_hotkey" and result.seconds > OVERSIZED_BUDGET:
        return (
            f"- oversized_hotkey: a {OVERSIZED_HOTKEY_BYTES // 1024} KiB hotkey header took "
            f"{result.seconds:.2f} s to refuse (budget {OVERSIZED_BUDGET} s): bound header "
            "sizes before verify()"
        )
    return None


_CLOSED_ERRORS = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
"""The miner closed the connection (a timeout is not one of them)."""


class _Contract:
    def __init__(
        self,
        net: Network,
        miner: _Target,
        caller: Any,
        path: str,
        method: str,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        self.net, self.miner, self.caller = net, miner, caller
        self.path, self.method, self.body, self.headers = path, method, body, headers
        # whether anything answered yet: a refused first connection is bad input
        self.reached = False

    def sign(
        self,
        *,
        wallet: Any = None,
        target: str | None = None,
        receiver: str | None = "",
        nonce_ns: int | None = None,
    ) -> dict[str, str]:
        return sign_headers(
            "btauth/1",
            wallet or self.caller,
            method=self.method,
            target=target or self.path,
            body=self.body,
            receiver=self.miner.hotkey if receiver == "" else receiver,
            nonce_ns=nonce_ns if nonce_ns is not None else self.net.clock.time_ns(),
        )

    def http(self) -> httpx.AsyncClient:
        if self.miner.served:
            return self.net.http(timeout=30.0)
        # not simnet's: plain TCP even when the network's clients go in memory
        return httpx.AsyncClient(timeout=30.0, transport=httpx.AsyncHTTPTransport())

    async def send(
        self,
        check: str,
        signed: dict[str, str],
        sent: str,
        *,
        target: str | None = None,
        body: bytes | None = None,
    ) -> Rejection:
        target = target or self.path
        request = f"{self.method} {target}" + (f" {sent}" if sent else "")
        content = self.body if body is None else body
        async with self.http() as http:
            started = time.perf_counter()
            built = http.build_request(
                self.method,
                self.miner.url + target,
                content=content,
                headers={**self.headers, **signed},
            )
            try:
                response = await http.send(built, stream=True)
            except httpx.ConnectError as exc:
                return self.unreachable(check, exc, time.perf_counter() - started, request)
            except _CLOSED_ERRORS as exc:
                self.reached = True
                return Rejection(check, CLOSED, time.perf_counter() - started, str(exc), request)
            self.reached = True
            text = ""
            try:
                async for piece in response.aiter_text():
                    text += piece
                    if len(text) >= 512:
                        break
            except _CLOSED_ERRORS:
                pass  # the status line and headers came; the body is what arrived
            finally:
                await response.aclose()
            seconds = time.perf_counter() - started
        return Rejection(check, response.status_code, seconds, text, request)

    def unreachable(
        self, check: str, exc: httpx.ConnectError, seconds: float, request: str
    ) -> Rejection:
        """Nothing listening: bad input before the first answer; afterwards, the miner
        stopped answering (left unanswered: a valid request then fails the contract)."""
        why = str(exc) or "connection refused"
        if not self.reached:
            raise ValueError(f"nothing answers at {self.miner.url} ({why})") from None
        return Rejection(check, CLOSED, seconds, f"the miner stopped answering: {why}", request)

    async def run(self, check: str) -> Rejection:
        now = self.net.clock.time_ns()
        if check == "valid":
            return await self.send(check, self.sign(), "signed as a validator signs it")
        if check == "encoded_query":
            target = f"{self.path}?simnet=a%20b%2Fc"
            signed = self.sign(target=target)
            return await self.send(check, signed, "signed as sent", target=target)
        if check == "forged_signature":
            signed = self.sign()
            signature = signed[http_auth.HEADER_SIGNATURE]
            flipped = signature[:-1] + ("f" if signature[-1] != "f" else "0")
            forged = {**signed, http_auth.HEADER_SIGNATURE: flipped}
            return await self.send(check, forged, "with the signature's last digit changed")
        if check == "replayed_nonce":
            signed = self.sign()
            await self.send("valid", signed, "")
            return await self.send(check, signed, "with the signed headers just served, again")
        if check in ("stale_nonce", "future_nonce"):
            shift = -_OFF_WINDOW_NS if check == "stale_nonce" else _OFF_WINDOW_NS
            when = f"{_OFF_WINDOW_NS // 10**9} s {'ago' if shift < 0 else 'ahead'}"
            return await self.send(check, self.sign(nonce_ns=now + shift), f"signed {when}")
        if check == "wrong_receiver":
            other = self.net.wallet("simnet-contract-other-miner").hotkey.ss58_address
            return await self.send(check, self.sign(receiver=other), f"signed for {other}")
        if check == "missing_receiver":
            return await self.send(check, self.sign(receiver=None), "signed for no receiver")
        if check == "tampered_body":
            sent = "with a space appended to the body after signing"
            return await self.send(check, self.sign(), sent, body=self.body + b" ")
        if check in ("unregistered_caller", "unpermitted_caller"):
            return await self.send_as(check)
        if check == "oversized_hotkey":
            signed = self.sign()
            hotkey = signed[http_auth.HEADER_HOTKEY]
            padded = hotkey + "5" * (OVERSIZED_HOTKEY_BYTES - len(hotkey))
            sent = f"with a {OVERSIZED_HOTKEY_BYTES // 1024} KiB {http_auth.HEADER_HOTKEY}"
            return await self.send(check, {**signed, http_auth.HEADER_HOTKEY: padded}, sent)
        return await self.send_malformed(check)

    async def send_as(self, check: str) -> Rejection:
        netuid = self.miner.netuid
        if check == "unregistered_caller":
            wallet = self.net.wallet(f"simnet-contract-unregistered-{netuid}")
            sent = f"signed by {wallet.hotkey.ss58_address}, not registered on netuid {netuid}"
        else:
            wallet = self.net.register(netuid, "simnet-contract-unpermitted")
            sent = f"signed by {wallet.hotkey.ss58_address}, registered without a permit"
        return await self.send(check, self.sign(wallet=wallet), sent)

    async def send_malformed(self, check: str) -> Rejection:
        if check == "unsigned":
            return await self.send(check, {}, "with no btauth/1 headers")
        signed = self.sign()
        if check in _MISSING:
            header = _MISSING[check]
            del signed[header]
            return await self.send(check, signed, f"without {header}")
        header, value = _BAD_VALUES[check]
        shown = value if len(value) <= 20 else f"{value[:8]}... ({len(value)} characters)"
        return await self.send(check, {**signed, header: value}, f"with {header}: {shown!r}")
