"""Every name simnet's signed-HTTP stack takes from bittensor 11.x, and nothing else.

Importing this module with 9.x or 10.x installed raises
:class:`simnet._release.WrongStack`: one line saying what is installed and what to
install. The neuron stack's names live in ``simnet._compat``; no module imports both.
"""

from __future__ import annotations

import inspect

from simnet._release import BITTENSOR_VERSION, require

require("v11")

import bittensor  # noqa: E402
import bittensor.client as client_module  # noqa: E402  (Client builds its RpcSubstrate here)
import bittensor_core  # noqa: E402
from bittensor import (  # noqa: E402
    Balance,
    ChainError,
    Client,
    ExtrinsicResult,
    Metagraph,
    MetagraphNeuron,
    ServeAxon,
    SetWeights,
    Wallet,
    http_auth,
)
from bittensor._generated.calls import Call  # noqa: E402
from bittensor._substrate import Substrate  # noqa: E402

Keypair = bittensor_core.Keypair

VERIFY_TAKES_CRYPTO_TYPE: bool = (
    "expected_crypto_type" in inspect.signature(http_auth.verify).parameters
)
"""Unreleased upstream code makes ``verify(..., expected_crypto_type=...)`` required."""

__all__ = [
    "BITTENSOR_VERSION",
    "VERIFY_TAKES_CRYPTO_TYPE",
    "Balance",
    "Call",
    "ChainError",
    "Client",
    "ExtrinsicResult",
    "Keypair",
    "Metagraph",
    "MetagraphNeuron",
    "ServeAxon",
    "SetWeights",
    "Substrate",
    "Wallet",
    "bittensor",
    "client_module",
    "http_auth",
]
