"""Signing helpers: each scheme's headers verify as the receiving side checks them."""

import hashlib

import bittensor as bt
import pytest
from bittensor_core import Keypair

from simnet.v11 import Network, sign_headers


def test_btauth_headers_verify_with_the_sdks_own_verify(simnet_v11: Network) -> None:
    sender, receiver = simnet_v11.wallet("validator"), simnet_v11.wallet("miner")
    miner = receiver.hotkey.ss58_address
    headers = sign_headers(
        "btauth/1", sender, method="POST", target="/q?x=a%20b", body=b"{}", receiver=miner
    )
    caller = bt.http_auth.verify(
        headers, b"{}", method="POST", path="/q?x=a%20b", self_hotkey_ss58=miner
    )
    assert caller.hotkey_ss58 == sender.hotkey.ss58_address


def test_epistula_headers_sign_the_body_hash_uuid_timestamp_and_receiver(
    simnet_v11: Network,
) -> None:
    sender, receiver = simnet_v11.wallet("validator"), simnet_v11.wallet("miner")
    miner = receiver.hotkey.ss58_address
    headers = sign_headers(
        "epistula", sender, method="POST", target="/q", body=b"{}", receiver=miner
    )
    message = (
        f"{hashlib.sha256(b'{}').hexdigest()}.{headers['Epistula-Uuid']}."
        f"{headers['Epistula-Timestamp']}.{miner}"
    )
    signature = bytes.fromhex(headers["Epistula-Request-Signature"][2:])
    assert Keypair(ss58_address=headers["Epistula-Signed-By"]).verify(message.encode(), signature)
    assert headers["Epistula-Signed-For"] == miner


def test_dendrite_headers_sign_what_a_10x_axon_verifies(simnet_v11: Network) -> None:
    sender, receiver = simnet_v11.wallet("validator"), simnet_v11.wallet("miner")
    miner = receiver.hotkey.ss58_address
    headers = sign_headers("dendrite", sender, method="POST", target="/Query", receiver=miner)
    message = ".".join(
        [
            headers["bt_header_dendrite_nonce"],
            sender.hotkey.ss58_address,
            miner,
            headers["bt_header_dendrite_uuid"],
            headers["computed_body_hash"],
        ]
    )
    signature = bytes.fromhex(headers["bt_header_dendrite_signature"][2:])
    assert Keypair(ss58_address=sender.hotkey.ss58_address).verify(message.encode(), signature)
    assert headers["name"] == "Query"
    assert headers["computed_body_hash"] == hashlib.sha3_256(b"").hexdigest()


def test_the_dendrite_scheme_needs_a_receiver(simnet_v11: Network) -> None:
    with pytest.raises(ValueError, match="the dendrite scheme signs for an axon's hotkey"):
        sign_headers("dendrite", simnet_v11.wallet("v"), method="POST", target="/Query")


def test_an_unknown_scheme_is_named(simnet_v11: Network) -> None:
    with pytest.raises(ValueError, match="unknown signing scheme 'hmac'; simnet signs btauth/1"):
        sign_headers("hmac", simnet_v11.wallet("v"), method="POST", target="/")
