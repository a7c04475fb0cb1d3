"""Wire faults against signed-HTTP miners: a response lost after the miner handled the
request, and the validator retries it exposes (bittensor 11.x)."""

from __future__ import annotations

import httpx
import pytest

from simnet.faults import FaultPlan, LostResponse
from simnet.v11 import Network, ServedApp, sign_headers

from .apps import create_app

pytestmark = pytest.mark.simnet(transport=["tcp", "memory"])

BODY = b'{"prompt": "one two"}'
JSON = {"content-type": "application/json"}
LOST = [LostResponse(503), LostResponse(reset=True)]


def serve_losing_first_response(net: Network, fault: LostResponse) -> tuple[ServedApp, FaultPlan]:
    wallet = net.wallet("miner")
    plan = FaultPlan(fault, limit=1)
    return net.serve(1, create_app(wallet), wallet, faults=[plan]), plan


async def status(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> int | str:
    """The status of one POST, or ``"reset"`` when the connection closed unanswered."""
    try:
        response = await http.post(url, content=BODY, headers={**JSON, **headers})
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return "reset"
    return response.status_code


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", LOST, ids=["503", "reset"])
async def test_a_retry_with_the_same_signed_headers_after_a_lost_response_is_a_replay(
    simnet_v11: Network, fault: LostResponse
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    served, plan = serve_losing_first_response(simnet_v11, fault)
    url = served.url + "/generate"
    signed = sign_headers(
        "btauth/1",
        validator,
        method="POST",
        target="/generate",
        body=BODY,
        receiver=served.hotkey,
        nonce_ns=simnet_v11.clock.time_ns(),
    )
    async with simnet_v11.http() as http:
        first = await status(http, url, signed)
        retry = await http.post(url, content=BODY, headers={**JSON, **signed})
    assert first == (503 if not fault.reset else "reset")
    assert (retry.status_code, retry.json()) == (
        401,
        {"detail": "this nonce was already accepted from this hotkey"},
    )
    assert [e.fault for e in plan.events] == ["LostResponse"]


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", LOST, ids=["503", "reset"])
async def test_a_retry_signed_anew_after_a_lost_response_is_served(
    simnet_v11: Network, fault: LostResponse
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    served, _ = serve_losing_first_response(simnet_v11, fault)
    async with simnet_v11.http(validator) as http:  # signs every request it sends
        first = await status(http, served.url + "/generate", {})
        retry = await status(http, served.url + "/generate", {})
    assert (first, retry) == (503 if not fault.reset else "reset", 200)
