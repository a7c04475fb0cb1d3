"""The signed-request contract checker finds the mistakes real btauth/1 ports make."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from simnet.v11 import ContractViolation, Network, assert_rejects_forgeries
from simnet.v11.contract import DEFAULT_CHECKS, FORGERIES

from .apps import create_app

BODY = b'{"prompt": "one two"}'
JSON = {"content-type": "application/json"}


async def check(net: Network, checks: Any = DEFAULT_CHECKS, **flaws: Any) -> dict[str, Any]:
    validator = net.register(1, "validator", stake=1000.0, validator_permit=True)
    wallet = net.wallet("miner")
    miner = net.serve(1, create_app(wallet, **flaws), wallet)
    return await assert_rejects_forgeries(
        net, miner, caller=validator, path="/generate", body=BODY, headers=JSON, checks=checks
    )


@pytest.mark.asyncio
@pytest.mark.simnet(transport=["tcp", "memory"])
async def test_a_careful_miner_serves_valid_requests_and_refuses_every_forgery(
    simnet_v11: Network,
) -> None:
    results = await check(simnet_v11)
    assert {name: r.status for name, r in results.items()} == {
        "valid": 200,
        "encoded_query": 200,
        "forged_signature": 401,
        "replayed_nonce": 401,
        "stale_nonce": 401,
        "future_nonce": 401,
        "wrong_receiver": 401,
        "missing_receiver": 401,
        "tampered_body": 401,
        "unregistered_caller": 403,
        "oversized_hotkey": 400,
    }


@pytest.mark.asyncio
async def test_serving_a_registered_caller_without_a_permit_is_a_violation_when_asked(
    simnet_v11: Network,
) -> None:
    with pytest.raises(
        ContractViolation, match="- unpermitted_caller: the forgery was answered 200"
    ):
        await check(simnet_v11, checks=["unpermitted_caller"])


@pytest.mark.asyncio
async def test_verifying_the_decoded_path_refuses_valid_traffic(simnet_v11: Network) -> None:
    with pytest.raises(
        ContractViolation, match="- encoded_query: a valid signed request was answered 401"
    ):
        await check(simnet_v11, decoded_path=True)


@pytest.mark.asyncio
async def test_serving_unregistered_callers_is_a_violation(simnet_v11: Network) -> None:
    with pytest.raises(
        ContractViolation, match="- unregistered_caller: the forgery was answered 200"
    ):
        await check(simnet_v11, check_registration=False)


@pytest.mark.asyncio
@pytest.mark.simnet(strict=False)
async def test_a_max_age_beyond_the_nonce_store_gives_valid_traffic_a_500(
    simnet_v11: Network,
) -> None:
    with pytest.raises(ContractViolation, match=r"- valid: answered 500 .*\(never a 5xx\)"):
        await check(simnet_v11, checks=["valid"], max_age=120.0)
    # the app raises after its 500 has been sent: the report follows the response
    for _ in range(100):
        if simnet_v11.problems:
            break
        await asyncio.sleep(0.01)
    assert ["nonce store retains entries" in str(p) for p in simnet_v11.problems] == [True]


@pytest.mark.asyncio
@pytest.mark.simnet(blocking_threshold=None)
async def test_an_unbounded_hotkey_header_is_slow_to_refuse(simnet_v11: Network) -> None:
    with pytest.raises(ContractViolation, match="- oversized_hotkey: a 64 KiB hotkey header took"):
        await check(simnet_v11, checks=["oversized_hotkey"], bound_headers=False)


@pytest.mark.asyncio
async def test_an_unknown_check_is_named(simnet_v11: Network) -> None:
    with pytest.raises(ValueError, match="unknown check\\(s\\) forged; the checks are valid"):
        await check(simnet_v11, checks=["forged"])


def test_every_forgery_is_a_default_check_except_the_permit_policy() -> None:
    assert set(FORGERIES) - set(DEFAULT_CHECKS) == {"unpermitted_caller"}


def test_a_connection_closed_without_an_answer_counts_as_refused_not_served() -> None:
    from simnet.v11.contract import CLOSED, Rejection, _broken

    closed = Rejection("oversized_hotkey", CLOSED, 0.01, "connection reset")
    assert closed.refused
    assert not closed.served
    assert _broken(closed) is None
    valid = Rejection("valid", CLOSED, 0.01, "connection reset")
    assert _broken(valid) == (
        "- valid: a valid signed request was left unanswered in 0.01 s: 'connection reset'"
    )
