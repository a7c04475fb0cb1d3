"""simnet for bittensor 11.x: signed-HTTP (btauth/1, Epistula) subnets, offline.

bittensor 11 has no Axon or Dendrite: a miner is the subnet's own ASGI app checking
``bittensor.http_auth.verify``, a validator signs httpx requests and reads the chain
through the SDK's ``Client``. This package runs both unmodified on simnet's chain, host
and transports::

    with simnet.v11.Network() as net:
        miner = net.serve(1, create_app(net.wallet("miner")), net.wallet("miner"))
        ...   # the validator's own bittensor.Client / httpx.AsyncClient reach it

Importing it with 9.x or 10.x installed raises ``simnet._release.WrongStack`` (one line).
The room's modules: ``sdk`` (every 11.x name), ``substrate`` (the chain behind the SDK's
seam), ``timelock`` (what the SDK encrypts here, kept so the chain can reveal it),
``clocks`` (per-miner clock and nonce store), ``auth`` (signing schemes), ``wallets``,
``network`` and ``contract`` (the signed-request checks).
"""

from simnet._release import require as _require

_require("v11")  # before anything 11.x-only: one line naming the release to install

from simnet.v11.auth import SCHEMES, BtAuth, epistula_headers, sign_headers  # noqa: E402
from simnet.v11.clocks import Clock  # noqa: E402
from simnet.v11.contract import ContractViolation, Rejection, assert_rejects_forgeries  # noqa: E402
from simnet.v11.network import Network, ServedApp, UnknownReceiver  # noqa: E402
from simnet.v11.substrate import ChainSubstrate, NotSimulated, WeightCommit  # noqa: E402
from simnet.v11.wallets import Wallets  # noqa: E402

__all__ = [
    "SCHEMES",
    "BtAuth",
    "ChainSubstrate",
    "Clock",
    "ContractViolation",
    "Network",
    "NotSimulated",
    "Rejection",
    "ServedApp",
    "UnknownReceiver",
    "Wallets",
    "WeightCommit",
    "assert_rejects_forgeries",
    "epistula_headers",
    "sign_headers",
]
