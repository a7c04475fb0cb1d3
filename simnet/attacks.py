"""Attacks on an axon with real keys: forged, replayed and unwelcome requests.

Each attack sends one request to a served axon the way an attacker would, signed with
real sr25519 keys, and reports the status and message the real axon middleware answered
with. :func:`assert_rejects` checks a miner against all of them in one line::

    results = await assert_rejects(simnet, axon, StreamPrompting(messages=["hi"]),
                                   caller=simnet_validator)

What bittensor 10.x answers (``EXPECTED_STATUS``): a body that does not match its hash
gets 500 (the hash check raises inside the axon); a bad, foreign or stale signature and
a replayed nonce get 401 (verification); a caller the miner's blacklist refuses gets 403.
"""

from simnet.neurons.attacks import (
    ATTACKS,
    EXPECTED_STATUS,
    AttackResult,
    AxonTarget,
    assert_rejects,
    attack,
)

__all__ = [
    "ATTACKS",
    "EXPECTED_STATUS",
    "AttackResult",
    "AxonTarget",
    "assert_rejects",
    "attack",
]
