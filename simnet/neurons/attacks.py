"""Attacks on a served axon with real keys (implementation of :mod:`simnet.attacks`)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp

from simnet._compat import Axon, Dendrite, Synapse
from simnet._wallets import keypair_for
from simnet.neurons.axons import ServedAxon
from simnet.neurons.simnet import Registration, Simnet

EXPECTED_STATUS = {
    "tampered_body": 500,
    "bad_signature": 401,
    "replayed_nonce": 401,
    "stale_nonce": 401,
    "wrong_axon_hotkey": 401,
    "unregistered_caller": 403,
}
ATTACKS = tuple(EXPECTED_STATUS)


@dataclass(frozen=True)
class AttackResult:
    """How the axon answered one attack."""

    attack: str
    status: int
    message: str

    @property
    def rejected(self) -> bool:
        return self.status >= 400


Prepare = Callable[[Dendrite, Any, Synapse], Awaitable[list[tuple[dict[str, str], dict[str, Any]]]]]


AxonTarget = ServedAxon | Axon | int
"""An axon to attack: one from ``net.axons`` / ``net.serve``, the ``bt.Axon`` a redirected
neuron built and started (``miner.axon``), or the uid of a served axon."""


def served_axon(net: Simnet, axon: AxonTarget, netuid: int | None = None) -> ServedAxon:
    """The :class:`ServedAxon` that ``axon`` names on ``net``."""
    if isinstance(axon, ServedAxon):
        return axon
    if isinstance(axon, Axon):
        served = getattr(axon, "_simnet_served", None)
        if served is None:
            raise ValueError(
                f"the axon of {axon.wallet.hotkey.ss58_address} is not served by simnet: "
                "build it while bittensor is redirected and call axon.start()"
            )
        return served
    if isinstance(axon, bool) or not isinstance(axon, int):
        raise TypeError(f"expected a served axon, a bt.Axon or a uid, got {axon!r}")
    found = [s for s in net.axons if s.uid == axon and (netuid is None or s.netuid == netuid)]
    if not found:
        where = f" on netuid {netuid}" if netuid is not None else ""
        raise ValueError(f"no axon is served at uid {axon}{where}")
    if len(found) > 1:
        raise ValueError(f"axons of several subnets are served at uid {axon}: pass netuid=")
    return found[0]


async def attack(
    net: Simnet,
    axon: AxonTarget,
    synapse: Synapse,
    name: str,
    *,
    caller: Registration,
    timeout: float = 12.0,
    netuid: int | None = None,
) -> AttackResult:
    """Send attack ``name`` (one of :data:`ATTACKS`) to ``axon``; ``caller`` is a
    registered neuron whose keys the attacker holds (or imitates). ``netuid`` picks the
    subnet when ``axon`` is a uid served on several."""
    if name not in _PREPARE:
        raise ValueError(f"unknown attack {name!r}; the attacks are {', '.join(ATTACKS)}")
    axon = served_axon(net, axon, netuid)
    who = net.wallet(f"unregistered-{caller.hotkey[:8]}") if name == "unregistered_caller" else None
    target = net.metagraph(axon.netuid).axons[axon.uid]
    async with net.dendrite(who or caller) as dendrite:
        requests = await _PREPARE[name](dendrite, target, synapse.model_copy(deep=True), timeout)
        url = f"http://{target.ip}:{target.port}/{type(synapse).__name__}"
        results = [await _post(net, url, headers, body, timeout) for headers, body in requests]
    status, message = results[-1]
    return AttackResult(name, status, message)


async def assert_rejects(
    net: Simnet,
    axon: AxonTarget,
    synapse: Synapse,
    *,
    caller: Registration,
    attacks: Iterable[str] = ATTACKS,
    expected: dict[str, int] | None = None,
    netuid: int | None = None,
) -> dict[str, AttackResult]:
    """Run ``attacks`` against ``axon`` (see :data:`AxonTarget`) and raise
    ``AssertionError`` unless each is answered with its expected status
    (``EXPECTED_STATUS``, overridable per attack)."""
    axon = served_axon(net, axon, netuid)
    want = {**EXPECTED_STATUS, **(expected or {})}
    results = {name: await attack(net, axon, synapse, name, caller=caller) for name in attacks}
    wrong = [r for r in results.values() if r.status != want[r.attack]]
    if wrong:
        lines = "\n".join(
            f"  {r.attack}: got {r.status} ({r.message!r}), expected {want[r.attack]}"
            for r in wrong
        )
        raise AssertionError(f"axon uid {axon.uid} answered attacks unexpectedly:\n{lines}")
    return results


async def _post(
    net: Simnet, url: str, headers: dict[str, str], body: dict[str, Any], timeout: float
) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession(connector=net.connector()) as session,
        session.post(
            url, headers=headers, json=body, timeout=aiohttp.ClientTimeout(total=timeout)
        ) as response,
    ):
        text = await response.text()
        if response.status < 400:
            return response.status, "accepted"
        try:
            return response.status, str((await response.json(content_type=None))["message"])
        except (ValueError, KeyError, TypeError):
            return response.status, text


def _request(synapse: Synapse) -> tuple[dict[str, str], dict[str, Any]]:
    return synapse.to_headers(), synapse.model_dump()


def _signed(dendrite: Dendrite, target: Any, synapse: Synapse, timeout: float) -> Synapse:
    return dendrite.preprocess_synapse_for_request(target, synapse, timeout)


def _resign(synapse: Synapse, keypair: Any, axon_hotkey: str) -> None:
    d = synapse.dendrite
    assert d is not None, "a signed synapse carries the dendrite's terminal info"
    message = f"{d.nonce}.{d.hotkey}.{axon_hotkey}.{d.uuid}.{synapse.body_hash}"
    d.signature = f"0x{keypair.sign(message).hex()}"


async def _honest(dendrite: Dendrite, target: Any, synapse: Synapse, timeout: float) -> Any:
    return [_request(_signed(dendrite, target, synapse, timeout))]


async def _tampered_body(dendrite: Dendrite, target: Any, synapse: Synapse, timeout: float) -> Any:
    headers, body = _request(_signed(dendrite, target, synapse, timeout))
    hashed = list(getattr(type(synapse), "required_hash_fields", ()))
    own = [name for name in body if name not in Synapse.model_fields]
    field = (hashed or own or ["timeout"])[0]
    body[field] = _tamper(body[field])
    return [(headers, body)]


def _tamper(value: Any) -> Any:
    if isinstance(value, list):
        return [*value, "tampered"]
    if isinstance(value, str):
        return value + " tampered"
    if isinstance(value, int | float):
        return value + 1
    return "tampered"


async def _bad_signature(dendrite: Dendrite, target: Any, synapse: Synapse, timeout: float) -> Any:
    signed = _signed(dendrite, target, synapse, timeout)
    _resign(signed, keypair_for("attacker"), target.hotkey)  # someone else's key
    return [_request(signed)]


async def _replayed(dendrite: Dendrite, target: Any, synapse: Synapse, timeout: float) -> Any:
    request = _request(_signed(dendrite, target, synapse, timeout))
    return [request, request]  # the second, identical request is the replay


async def _stale(dendrite: Dendrite, target: Any, synapse: Synapse, timeout: float) -> Any:
    signed = _signed(dendrite, target, synapse, timeout)
    assert signed.dendrite is not None
    signed.dendrite.nonce = time.time_ns() - int((timeout + 60) * 1e9)
    _resign(signed, dendrite.keypair, target.hotkey)
    return [_request(signed)]


async def _wrong_axon(dendrite: Dendrite, target: Any, synapse: Synapse, timeout: float) -> Any:
    signed = _signed(dendrite, target, synapse, timeout)
    _resign(signed, dendrite.keypair, keypair_for("hotkey", "another-axon").ss58_address)
    return [_request(signed)]


_PREPARE: dict[str, Any] = {
    "tampered_body": _tampered_body,
    "bad_signature": _bad_signature,
    "replayed_nonce": _replayed,
    "stale_nonce": _stale,
    "wrong_axon_hotkey": _wrong_axon,
    "unregistered_caller": _honest,
}
