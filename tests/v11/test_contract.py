"""The signed-request contract checker finds the mistakes real btauth/1 ports make."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simnet.v11 import ContractViolation, Network, assert_rejects_forgeries
from simnet.v11.contract import CLOSED, DEFAULT_CHECKS, FORGERIES, MALFORMED

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
    # over TCP, h11 may refuse the 64 KiB header arriving in pieces before the miner does
    assert results.pop("oversized_hotkey").status in (400, CLOSED)
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
        **dict.fromkeys(MALFORMED, 401),
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
@pytest.mark.simnet(blocking_threshold=None, transport="memory")
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


NONCE_PARSED_FIRST = [
    "- unsigned: answered 500",
    "- missing_nonce: answered 500",
    "- nonce_not_a_number: answered 500",
    "- nonce_empty: answered 500",
    "- nonce_too_long: answered 500",
]
"""What a miner reading the nonce with ``int()`` before ``verify`` breaks (each a 500)."""


def broken_checks(violation: pytest.ExceptionInfo[ContractViolation]) -> list[str]:
    lines = str(violation.value).splitlines()[1:]
    return [line.split(" in ")[0] for line in lines]


@pytest.mark.asyncio
@pytest.mark.simnet(strict=False)
async def test_a_miner_parsing_the_nonce_before_verify_answers_malformed_requests_with_500(
    simnet_v11: Network,
) -> None:
    with pytest.raises(ContractViolation) as violation:
        await check(simnet_v11, nonce_before_verify=True)
    assert broken_checks(violation) == NONCE_PARSED_FIRST
    assert "(sent: POST /generate with X-Bittensor-Nonce: 'not-a-number')" in str(violation.value)
    assert "(sent: POST /generate without X-Bittensor-Nonce)" in str(violation.value)


@pytest.mark.asyncio
async def test_a_served_miner_is_checked_by_its_url_and_hotkey(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    wallet = simnet_v11.wallet("miner")
    served = simnet_v11.serve(1, create_app(wallet), wallet)
    url = served.url.replace("127.0.0.1", "localhost")
    results = await assert_rejects_forgeries(
        simnet_v11,
        url,
        hotkey=served.hotkey,
        caller=validator,
        path="/generate",
        body=BODY,
        headers=JSON,
        checks=["valid", "unregistered_caller", "unsigned"],
    )
    assert {name: r.status for name, r in results.items()} == {
        "valid": 200,
        "unregistered_caller": 403,
        "unsigned": 401,
    }


@pytest.fixture
def miner_process(simnet_v11: Network) -> Iterator[str]:
    """The URL of a miner with the nonce-before-verify flaw, served by another process."""
    listener = socket.create_server(("127.0.0.1", 0))
    root = Path(__file__).parents[2]
    wallets = str(simnet_v11.wallets.root)
    flaw = "nonce_before_verify"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.v11.miner_process", str(listener.fileno()), wallets, flaw],
        cwd=root,
        pass_fds=[listener.fileno()],
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        listener.close()


@pytest.mark.asyncio
async def test_a_miner_in_another_process_is_checked_by_url_and_its_500s_reported(
    simnet_v11: Network, miner_process: str
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    miner = simnet_v11.register(1, "miner")
    with pytest.raises(ContractViolation, match=f"\\({miner_process}\\) broke") as violation:
        await assert_rejects_forgeries(
            simnet_v11,
            miner_process,
            hotkey=miner.hotkey.ss58_address,
            caller=validator,
            path="/generate",
            body=BODY,
            headers=JSON,
            checks=["valid", "forged_signature", *MALFORMED],
        )
    assert broken_checks(violation) == NONCE_PARSED_FIRST


@pytest.mark.asyncio
async def test_a_url_nothing_answers_at_is_one_line_naming_it(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    miner = simnet_v11.register(1, "miner")
    with socket.socket() as bound:  # bound, never listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}"
        with pytest.raises(ValueError, match=f"^nothing answers at {url} \\(") as error:
            await assert_rejects_forgeries(
                simnet_v11, url, hotkey=miner.hotkey.ss58_address, caller=validator
            )
    assert "\n" not in str(error.value)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("miner", "hotkey", "message"),
    [
        ("http://127.0.0.1:8091", "5Nobody", "hotkey '5Nobody' is not registered on any subnet"),
        ("http://127.0.0.1:8091", None, "pass hotkey= \\(the ss58 address of the miner at"),
        ("127.0.0.1:8091", "5Nobody", "miner '127.0.0.1:8091' is neither a served miner nor a URL"),
        (
            "http://127.0.0.1:8091/query",
            "5Nobody",
            "has a path: give the miner's address and path=",
        ),
    ],
)
async def test_a_miner_that_cannot_be_checked_is_one_line_naming_it(
    simnet_v11: Network, miner: str, hotkey: str | None, message: str
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    with pytest.raises(ValueError, match=message):
        await assert_rejects_forgeries(simnet_v11, miner, hotkey=hotkey, caller=validator)


@pytest.mark.asyncio
async def test_a_served_miner_given_another_hotkey_or_netuid_is_one_line_naming_it(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    wallet = simnet_v11.wallet("miner")
    served = simnet_v11.serve(1, create_app(wallet), wallet)
    other = validator.hotkey.ss58_address
    with pytest.raises(ValueError, match=f"^hotkey='{other}' is not the served miner's hotkey"):
        await assert_rejects_forgeries(simnet_v11, served, hotkey=other, caller=validator)
    with pytest.raises(
        ValueError, match=rf"^the miner served at {served.url} is {served.hotkey}, not"
    ):
        await assert_rejects_forgeries(simnet_v11, served.url, hotkey=other, caller=validator)
    with pytest.raises(ValueError, match=r"^netuid=2 is not the served miner's netuid 1"):
        await assert_rejects_forgeries(simnet_v11, served, netuid=2, caller=validator)
    with pytest.raises(
        ValueError, match=f"^hotkey '{served.hotkey}' is not registered on netuid 2"
    ):
        await assert_rejects_forgeries(
            simnet_v11, served.url, hotkey=served.hotkey, netuid=2, caller=validator
        )
