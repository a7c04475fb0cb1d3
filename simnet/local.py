"""The ``simnet`` network of the tutorial's two terminals: a chain state file shared by
separate miner and client processes.

``python miner.py ... --subtensor.network simnet`` and ``python client.py ... --network
simnet`` use it. The state lives in ``$SIMNET_STATE``, else
``$XDG_CACHE_HOME/simnet/chain.sqlite`` (``~/.cache/simnet/chain.sqlite``); wallets named
on the command line are created deterministically in ``wallets/`` beside it.

Uids: creating a subnet registers its owner, the wallet ``default`` (hotkey
``default``, the client's default wallet), as uid 0 with a validator permit and 1000
stake; every later registration takes the next uid. So on a fresh state the first
miner is uid 1, as in the tutorial.
"""

from simnet.neurons.local import (
    OWNER_STAKE,
    OWNER_WALLET,
    STATE_ENV,
    LocalError,
    LocalNetwork,
    default_state_path,
    serve_forever,
)

__all__ = [
    "OWNER_STAKE",
    "OWNER_WALLET",
    "STATE_ENV",
    "LocalError",
    "LocalNetwork",
    "default_state_path",
    "serve_forever",
]
