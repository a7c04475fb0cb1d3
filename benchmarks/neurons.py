"""A subnet's own neurons on simnet: the template-shaped example, in one process and as processes.

    .venv/bin/python benchmarks/neurons.py [--steps 20]

* in-process: one validator step (forward: IsAlive to every miner, a Dummy query to
  every miner, scoring) of ``examples/template_subnet`` against 16 of its real miners, each
  serving its own real Axon, all through bittensor's redirected constructors; median
  and spread over ``--steps`` steps;
* processes: from starting ``simnet run`` for 2 miners and 1 validator to the
  validator's weights on the chain (chain clock 0.05 s per block, epoch 20 blocks),
  and the interpreter start-up (``python -c "import bittensor"``) that dominates it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "template_subnet"
sys.path.insert(0, str(EXAMPLE))

import simnet  # noqa: E402
from simnet._compat import quiet_bittensor_logging  # noqa: E402
from simnet.local import LocalNetwork  # noqa: E402


def _argv(*args: str) -> list[str]:
    return ["--netuid", "1", "--subtensor.network", "simnet", *args]


def in_process(steps: int) -> None:
    from neurons.miner import Miner
    from neurons.validator import Validator

    with simnet.Simnet(redirect=True) as net:
        net.register(1, "validator", stake=1000, validator_permit=True)
        miners = []
        for i in range(16):
            net.register(1, f"miner-{i}")
            miner = Miner(Miner.config(_argv("--wallet.name", f"miner-{i}")))
            miner.axon.serve(netuid=1, subtensor=miner.subtensor)
            miner.axon.start()
            miners.append(miner)
        validator = Validator(
            Validator.config(_argv("--wallet.name", "validator", "--neuron.step_seconds", "0"))
        )
        validator.metagraph.sync(subtensor=validator.subtensor)
        times = []
        for _ in range(steps):
            started = time.perf_counter()
            validator.loop.run_until_complete(validator.forward())
            times.append(time.perf_counter() - started)
            validator.step += 1
        validator.close()
        for miner in miners:
            miner.axon.stop()
    median = statistics.median(times)
    print(
        f"in-process validator step, 16 miners: median {median * 1000:.1f} ms "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}) over {steps} steps"
    )


def processes() -> None:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import bittensor"], check=True)
    startup = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        local = LocalNetwork(Path(tmp) / "chain.sqlite")
        validator = local.register(1, local.wallet("validator"), stake=1000, validator_permit=True)
        for name in ("miner-1", "miner-2"):
            local.register(1, local.wallet(name))
        local.chain.block_seconds = 0.05
        run = [sys.executable, "-m", "simnet", "run", "--state", str(local.path), "--"]
        env = {**os.environ, "PYTHONPATH": str(EXAMPLE)}
        commands = [
            [*run, "python", "neurons/miner.py", *_argv("--wallet.name", name)]
            for name in ("miner-1", "miner-2")
        ]
        commands.append(
            [*run, "python", "neurons/validator.py",
             *_argv("--wallet.name", "validator", "--neuron.epoch_length", "20",
                    "--neuron.step_seconds", "0.2")]
        )  # fmt: skip
        started = time.perf_counter()
        procs = [
            subprocess.Popen(c, cwd=EXAMPLE, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
            for c in commands
        ]  # fmt: skip
        try:
            while not local.chain.weights(1, validator.uid):
                if time.perf_counter() - started > 120:
                    raise SystemExit("no weights after 120 s")
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait()
    print(
        f"processes, 2 miners + 1 validator: weights on chain after {elapsed:.1f} s "
        f"(python -c 'import bittensor' alone: {startup:.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    quiet_bittensor_logging()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    in_process(args.steps)
    processes()


if __name__ == "__main__":
    main()
