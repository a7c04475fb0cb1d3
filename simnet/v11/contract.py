"""The signed-request contract of a btauth/1 miner, checked with real keys.

:func:`assert_rejects_forgeries` sends a miner one valid request and the forgeries a
network meets (a forged signature, a replayed nonce, a stale and a future nonce, a
wrong and a missing receiver, a tampered body, an unregistered caller, a 64 KiB hotkey
header), each built with the SDK's own ``http_auth.sign`` and real keys, and fails
unless every forgery is refused with a 4xx and valid traffic (also with a
percent-encoded query, signed as sent) is served. A 5xx is never an acceptable answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from simnet.v11.auth import sign_headers
from simnet.v11.network import Network, ServedApp

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
"""Requests that must be refused with a 4xx."""
DEFAULT_CHECKS = tuple(c for c in VALID + FORGERIES if c != "unpermitted_caller")
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
        return f"{how} in {self.seconds:.2f} s: {self.body[:120]!r}"


class ContractViolation(AssertionError):
    """The miner broke its signed-request contract; one line per broken check."""


async def assert_rejects_forgeries(
    net: Network,
    miner: ServedApp,
    *,
    caller: Any,
    path: str = "/",
    method: str = "POST",
    body: bytes = b"{}",
    headers: dict[str, str] | None = None,
    checks: Iterable[str] = DEFAULT_CHECKS,
) -> dict[str, Rejection]:
    """Run ``checks`` against ``miner`` as ``caller`` (a registered wallet; with a permit
    if the miner wants one) and raise :class:`ContractViolation` unless each valid request
    is served, each forgery refused with a 4xx, and nothing answered with a 5xx."""
    wanted = list(checks)
    unknown = [c for c in wanted if c not in VALID + FORGERIES]
    if unknown:
        raise ValueError(
            f"unknown check(s) {', '.join(unknown)}; the checks are {', '.join(VALID + FORGERIES)}"
        )
    contract = _Contract(net, miner, caller, path, method, body, dict(headers or {}))
    results = {check: await contract.run(check) for check in wanted}
    broken = [line for r in results.values() if (line := _broken(r))]
    if broken:
        raise ContractViolation(
            f"miner {miner.hotkey} ({miner.url}) broke its signed-request contract:\n"
            + "\n".join(broken)
        )
    return results


def _broken(result: Rejection) -> str | None:
    answer = result.describe()
    if result.status >= 500:
        return f"- {result.check}: {answer} (never a 5xx)"
    if result.check in VALID and not result.served:
        return f"- {result.check}: a valid signed request was {answer}"
    if result.check in FORGERIES and not result.refused:
        return f"- {result.check}: the forgery was {answer} (expected a 4xx)"
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
        miner: ServedApp,
        caller: Any,
        path: str,
        method: str,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        self.net, self.miner, self.caller = net, miner, caller
        self.path, self.method, self.body, self.headers = path, method, body, headers

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

    async def send(
        self,
        check: str,
        signed: dict[str, str],
        *,
        target: str | None = None,
        body: bytes | None = None,
    ) -> Rejection:
        url = self.miner.url + (target or self.path)
        content = self.body if body is None else body
        async with self.net.http(timeout=30.0) as http:
            started = time.perf_counter()
            request = http.build_request(
                self.method, url, content=content, headers={**self.headers, **signed}
            )
            try:
                response = await http.send(request, stream=True)
            except _CLOSED_ERRORS as exc:
                return Rejection(check, CLOSED, time.perf_counter() - started, str(exc))
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
        return Rejection(check, response.status_code, seconds, text)

    async def run(self, check: str) -> Rejection:
        now = self.net.clock.time_ns()
        if check == "valid":
            return await self.send(check, self.sign())
        if check == "encoded_query":
            target = f"{self.path}?simnet=a%20b%2Fc"
            return await self.send(check, self.sign(target=target), target=target)
        if check == "forged_signature":
            signed = self.sign()
            signature = signed["X-Bittensor-Signature"]
            flipped = "f" if signature[-1] != "f" else "0"
            return await self.send(
                check, {**signed, "X-Bittensor-Signature": signature[:-1] + flipped}
            )
        if check == "replayed_nonce":
            signed = self.sign()
            await self.send("valid", signed)
            return await self.send(check, signed)
        if check in ("stale_nonce", "future_nonce"):
            shift = -_OFF_WINDOW_NS if check == "stale_nonce" else _OFF_WINDOW_NS
            return await self.send(check, self.sign(nonce_ns=now + shift))
        if check == "wrong_receiver":
            other = self.net.wallet("simnet-contract-other-miner").hotkey.ss58_address
            return await self.send(check, self.sign(receiver=other))
        if check == "missing_receiver":
            return await self.send(check, self.sign(receiver=None))
        if check == "tampered_body":
            return await self.send(check, self.sign(), body=self.body + b" ")
        if check == "unregistered_caller":
            stranger = self.net.wallet(f"simnet-contract-unregistered-{self.miner.netuid}")
            return await self.send(check, self.sign(wallet=stranger))
        if check == "unpermitted_caller":
            plain = self.net.register(self.miner.netuid, "simnet-contract-unpermitted")
            return await self.send(check, self.sign(wallet=plain))
        assert check == "oversized_hotkey"
        signed = self.sign()
        padding = "5" * (OVERSIZED_HOTKEY_BYTES - len(signed["X-Bittensor-Hotkey"]))
        return await self.send(
            check, {**signed, "X-Bittensor-Hotkey": signed["X-Bittensor-Hotkey"] + padding}
        )
