"""Stock bittensor's Axons, in a process of their own (started by ``benchmarks/e2e.py``).

    python benchmarks/_stock.py N [--schema-cache]

Starts N real Axons exactly as bittensor starts them (``Axon.start()``: a uvicorn
server in a thread of its own each) serving the reference miner's ``echo_forward``, and
prints one JSON line of their ports and hotkeys; then serves until its standard input
closes. ``--schema-cache`` installs simnet's per-class ``get_required_fields`` cache
(the only simnet code this process runs). The parent stops this process (SIGSTOP)
while it measures other paths: bittensor's server threads each poll every millisecond.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bittensor as bt
from bittensor_wallet import Wallet

from miner import echo_forward


def main(count: int, cache: bool) -> None:
    bt.logging.disable_logging()
    if cache:
        from simnet.wire import speedups

        speedups.acquire(bt.Synapse)
    root = tempfile.mkdtemp(prefix="stock-wallets-")
    axons = []
    for i in range(count):
        wallet = Wallet(name=f"stock-{i}", hotkey="default", path=root)
        wallet.create_new_hotkey(use_password=False, overwrite=True, suppress=True)
        wallet.create_new_coldkey(use_password=False, overwrite=True, suppress=True)
        axon = bt.Axon(wallet=wallet, ip="127.0.0.1", port=_free_port(), external_ip="127.0.0.1")
        axon.attach(forward_fn=echo_forward)
        axon.start()
        axons.append(axon)
    while not all(axon.fast_server.started for axon in axons):
        time.sleep(0.05)
    print(json.dumps([[a.port, a.wallet.hotkey.ss58_address] for a in axons]), flush=True)
    sys.stdin.read()
    for axon in axons:
        axon.stop()
    shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    main(int(sys.argv[1]), "--schema-cache" in sys.argv[2:])
