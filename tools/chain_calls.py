"""Call every row of the chain-call survey (docs/contributing.md) on simnet's 9.x/10.x doubles.

A chain with a validator and a miner, after a ``set_weights`` and an epoch; each call's
outcome is printed as ``kind | name | outcome | value``, where outcome is ``value`` or the
exception raised. Which values are right is judged by reading them against the chain
(the count in docs/contributing.md); this script only makes the calls.

    PYTHONPATH=. .venv/bin/python tools/chain_calls.py   # on the release installed there
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import simnet
from simnet import AsyncFakeSubtensor, ChainState, FakeSubtensor
from simnet._compat import Keypair

SURVEY_SUBTENSOR = (
    "set_weights metagraph get_current_block chain_endpoint is_hotkey_registered substrate "
    "serve_axon max_weight_limit min_allowed_weights block get_uid_for_hotkey_on_subnet close "
    "commit network get_commitment initialize tempo weights get_block_hash "
    "sign_and_send_extrinsic blocks_since_last_update get_balance query_subtensor "
    "get_hotkey_owner get_metagraph_info get_stake get_subnet_hyperparameters set_commitment "
    "subnet wait_for_block weights_rate_limit"
).split()
SURVEY_SUBSTRATE = (
    "query compose_call get_block create_signed_extrinsic get_block_hash query_map "
    "submit_extrinsic close"
).split()
SURVEY_METAGRAPH = (
    "hotkeys uids S axons sync validator_permit n last_update I block netuid coldkeys neurons "
    "E validator_trust C total_stake T stake R alpha_stake block_at_registration D Tv emission "
    "pool weights"
).split()


def wallet(name: str) -> Any:
    hotkey = Keypair.create_from_uri(f"//{name}-hot")
    coldkey = Keypair.create_from_uri(f"//{name}-cold")
    return SimpleNamespace(hotkey=hotkey, coldkey=coldkey, coldkeypub=coldkey, name=name)


def outcome(call: Callable[[], Any]) -> tuple[str, str]:
    try:
        return "value", repr(call())[:90]
    except simnet.NotSimulated as exc:
        return "NotSimulated", str(exc)[:90]
    except Exception as exc:  # every outcome is printed, not raised
        return type(exc).__name__, str(exc)[:90]


def main() -> None:
    chain = ChainState()
    v, m = wallet("validator"), wallet("miner")
    chain.register(
        1, v.hotkey.ss58_address, v.coldkey.ss58_address, stake=1000, validator_permit=True
    )
    chain.register(1, m.hotkey.ss58_address, m.coldkey.ss58_address)
    chain.set_hyperparameters(1, weights_rate_limit=0, tempo=10)
    chain.advance(3)
    sub, asub = FakeSubtensor(chain), AsyncFakeSubtensor(chain)
    axon = SimpleNamespace(
        info=lambda: SimpleNamespace(
            hotkey=m.hotkey.ss58_address, ip="1.2.3.4", port=8091, ip_type=4
        )
    )
    substrate = sub.substrate
    weights = substrate.compose_call(
        "SubtensorModule",
        "set_weights",
        {"netuid": 1, "dests": [0, 1], "weights": [1, 1], "version_key": 0},
    )
    signed = substrate.create_signed_extrinsic(call=weights, keypair=v.hotkey)
    hk = v.hotkey.ss58_address
    calls: dict[str, Callable[[], Any]] = {
        "set_weights": lambda: sub.set_weights(v, 1, [1], [1.0]),
        "metagraph": lambda: sub.metagraph(1),
        "get_current_block": sub.get_current_block,
        "chain_endpoint": lambda: sub.chain_endpoint,
        "is_hotkey_registered": lambda: sub.is_hotkey_registered(m.hotkey.ss58_address, 1),
        "substrate": lambda: sub.substrate,
        "serve_axon": lambda: sub.serve_axon(1, axon),
        "max_weight_limit": lambda: sub.max_weight_limit(1),
        "min_allowed_weights": lambda: sub.min_allowed_weights(1),
        "block": lambda: sub.block,
        "get_uid_for_hotkey_on_subnet": lambda: sub.get_uid_for_hotkey_on_subnet(
            m.hotkey.ss58_address, 1
        ),
        "close": lambda: sub.close() or "closed",
        "commit": lambda: sub.commit(v, 1, "data"),
        "network": lambda: sub.network,
        "get_commitment": lambda: sub.get_commitment(1, 0),
        "initialize": lambda: asyncio.run(asub.initialize()),
        "tempo": lambda: sub.tempo(1),
        "weights": lambda: sub.weights(1),
        "get_block_hash": lambda: sub.get_block_hash(1),
        "sign_and_send_extrinsic": lambda: sub.sign_and_send_extrinsic(
            substrate.compose_call(
                "SubtensorModule", "burned_register", {"netuid": 1, "hotkey": hk}
            ),
            v,
        ),
        "blocks_since_last_update": lambda: sub.blocks_since_last_update(1, 0),
        "get_balance": lambda: sub.get_balance(v.coldkey.ss58_address),
        "query_subtensor": lambda: sub.query_subtensor("Uids", params=[1, hk]),
        "get_hotkey_owner": lambda: sub.get_hotkey_owner(hk),
        "get_metagraph_info": lambda: sub.get_metagraph_info(1),
        "get_stake": lambda: sub.get_stake(v.coldkey.ss58_address, hk, 1),
        "get_subnet_hyperparameters": lambda: sub.get_subnet_hyperparameters(1),
        "set_commitment": lambda: sub.set_commitment(v, 1, "data2"),
        "subnet": lambda: sub.subnet(1),
        "wait_for_block": sub.wait_for_block,
        "weights_rate_limit": lambda: sub.weights_rate_limit(1),
    }
    raw: dict[str, Callable[[], Any]] = {
        "query": lambda: substrate.query("SubtensorModule", "Keys", [1, 0]),
        "compose_call": lambda: weights,
        "get_block": lambda: substrate.get_block(block_number=chain.block),
        "create_signed_extrinsic": lambda: signed,
        "get_block_hash": lambda: substrate.get_block_hash(chain.block),
        "query_map": lambda: list(substrate.query_map("SubtensorModule", "Uids", [1])),
        "submit_extrinsic": lambda: substrate.submit_extrinsic(signed).is_success,
        "close": lambda: substrate.close() or "closed",
    }
    for name in SURVEY_SUBTENSOR:
        print("subtensor", name, *outcome(calls[name]), sep=" | ")
    for name in SURVEY_SUBSTRATE:
        print("substrate", name, *outcome(raw[name]), sep=" | ")
    chain.advance(20)
    sub.set_weights(v, 1, [1], [1.0])
    chain.advance(20)
    metagraph = sub.metagraph(1, lite=False)
    for name in SURVEY_METAGRAPH:
        print("metagraph", name, *outcome(lambda n=name: getattr(metagraph, n)), sep=" | ")


if __name__ == "__main__":
    main()
