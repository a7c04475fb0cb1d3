"""Signing requests the way validators do, per scheme: btauth/1 (through the SDK's own
``http_auth.sign``), Epistula v2 (subnets that left Axon before 11.x), and the headers a
9.x/10.x dendrite sends (legacy validators calling a miner that still accepts them).

``BtAuth`` is the ``httpx.Auth`` a 11.x validator writes (the request body signed as
sent, the receiver bound to the miner's hotkey); :func:`sign_headers` gives one request's
headers for any scheme, for tests that send raw requests.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import httpx

from simnet.v11.sdk import Keypair, http_auth
from simnet.wire.signing import dendrite_headers, epistula_headers

SCHEMES = ("btauth/1", "epistula", "dendrite")
"""The signing schemes simnet speaks: bittensor 11's btauth/1, Epistula v2, and a 9.x/10.x
dendrite's ``bt_header_*`` headers."""


def request_target(url: httpx.URL) -> str:
    """The request target exactly as sent: raw path plus ``?query`` (what btauth signs)."""
    return url.raw_path.decode("ascii")


def sign_headers(
    scheme: str,
    wallet: Any,
    *,
    method: str,
    target: str,
    body: bytes = b"",
    receiver: str | None = None,
    nonce_ns: int | None = None,
) -> dict[str, str]:
    """The auth headers ``wallet``'s hotkey sends for one request under ``scheme``
    (``target``: raw path and query as sent; ``nonce_ns``: the signing time, default now)."""
    check_scheme(scheme)
    if receiver is not None:
        _check_address(receiver)
    if scheme == "btauth/1":
        return http_auth.sign(
            wallet, method=method, path=target, body=body, receiver_ss58=receiver, nonce_ns=nonce_ns
        )
    if scheme == "epistula":
        return epistula_headers(wallet, body=body, receiver=receiver, nonce_ns=nonce_ns)
    return dendrite_headers(wallet, target=target, receiver=receiver, nonce_ns=nonce_ns)


def check_scheme(scheme: str) -> None:
    """``ValueError`` (one line naming it) for a scheme simnet does not sign."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown signing scheme {scheme!r}; simnet signs {', '.join(SCHEMES)}")


def _check_address(receiver: str) -> None:
    try:
        Keypair(ss58_address=receiver)
    except (ValueError, TypeError):
        raise ValueError(f"receiver {receiver!r} is not an ss58 hotkey address") from None


class BtAuth(httpx.Auth):
    """Sign every request with ``wallet``'s hotkey under ``scheme`` (btauth/1 by default).

    ``receiver`` is the miner's hotkey, or a function of the request URL giving it (e.g.
    from the metagraph); each retry httpx makes goes through here again with a new nonce.
    """

    requires_request_body = True

    def __init__(
        self,
        wallet: Any,
        receiver: str | Callable[[httpx.URL], str | None] | None = None,
        *,
        scheme: str = "btauth/1",
    ) -> None:
        check_scheme(scheme)
        if isinstance(receiver, str):
            _check_address(receiver)
        self.wallet = wallet
        self.receiver = receiver
        self.scheme = scheme

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        receiver = self.receiver(request.url) if callable(self.receiver) else self.receiver
        request.headers.update(
            sign_headers(
                self.scheme,
                self.wallet,
                method=request.method,
                target=request_target(request.url),
                body=request.content,
                receiver=receiver,
            )
        )
        yield request
