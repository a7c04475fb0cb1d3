"""A miner of ``apps.py`` served by uvicorn in a process of its own, on a listening socket
the test passes down (``python -m tests.v11.miner_process FD WALLET_PATH [FLAW ...]``).

It reads no chain (a process cannot reach the test's), so it serves any verified caller.
"""

import socket
import sys

import bittensor as bt
import uvicorn

from tests.v11.apps import create_app


def main(fd: str, wallet_path: str, *flaws: str) -> None:
    wallet = bt.Wallet("miner", path=wallet_path)
    app = create_app(wallet, check_registration=False, **dict.fromkeys(flaws, True))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    server.run(sockets=[socket.socket(fileno=int(fd))])


if __name__ == "__main__":
    main(*sys.argv[1:])
