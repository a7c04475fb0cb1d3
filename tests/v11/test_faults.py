"""Wire faults against signed-HTTP miners: a response lost after the miner handled the
request, and the validator retries it exposes (bittensor 11.x)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from simnet.faults import FaultPlan, LostResponse
from simnet.v11 import Network, ServedApp, sign_headers

from .apps import create_app

pytestmark = pytest.mark.simnet(transport=["tcp", "memory"])

BODY = b'{"prompt": "one two"}'
JSON = {"content-type": "application/json"}
LOST = pytest.mark.parametrize(
    ("fault", "lost"),
    [(LostResponse(503), 503), (LostResponse(reset=True), "reset")],
    ids=["503", "reset"],
)
"""Each way the first response is lost, and what the validator gets for it."""


@dataclass
class Setup:
    validator: Any
    served: ServedApp
    plan: FaultPlan

    @property
    def url(self) -> str:
        return self.served.url + "/generate"


def losing_first_response(net: Network, fault: LostResponse) -> Setup:
    """A validator, and a miner whose first response ``fault`` loses."""
    validator = net.register(1, "validator", stake=1000.0, validator_permit=True)
    wallet = net.wallet("miner")
    plan = FaultPlan(fault, limit=1)
    return Setup(validator, net.serve(1, create_app(wallet), wallet, faults=[plan]), plan)


async def status(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> int | str:
    """The status of one POST, or ``"reset"`` when the connection closed unanswered."""
    try:
        response = await http.post(url, content=BODY, headers={**JSON, **headers})
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return "reset"
    return response.status_code


@pytest.mark.asyncio
@LOST
async def test_a_retry_with_the_same_signed_headers_after_a_lost_response_is_a_replay(
    simnet_v11: Network, fault: LostResponse, lost: int | str
) -> None:
    setup = losing_first_response(simnet_v11, fault)
    signed = sign_headers(
        "btauth/1",
        setup.validator,
        method="POST",
        target="/generate",
        body=BODY,
        receiver=setup.served.hotkey,
        nonce_ns=simnet_v11.clock.time_ns(),
    )
    async with simnet_v11.http() as http:
        first = await status(http, setup.url, signed)
        retry = await http.post(setup.url, content=BODY, headers={**JSON, **signed})
    assert first == lost
    assert (retry.status_code, retry.json()) == (
        401,
        {"detail": "this nonce was already accepted from this hotkey"},
    )
    assert [e.fault for e in setup.plan.events] == ["LostResponse"]


@pytest.mark.asyncio
@LOST
async def test_a_retry_signed_anew_after_a_lost_response_is_served(
    simnet_v11: Network, fault: LostResponse, lost: int | str
) -> None:
    setup = losing_first_response(simnet_v11, fault)
    async with simnet_v11.http(setup.validator) as http:  # signs every request it sends
        assert [await status(http, setup.url, {}) for _ in range(2)] == [lost, 200]
