"""How tests/cassettes/validator.yaml was made: the validator's forward step recorded while
the fake platform (tests/outside.toml) answered, with an API key that the cassette must
not keep. A team records against its real platform instead, online, once:
``simnet record --cassettes tests/cassettes -- python neurons/validator.py ...``.

Run from examples/briefs_subnet: ``python -m tests.record_cassette``.
"""

import os
import time
from pathlib import Path

from neurons.miner import Miner
from neurons.validator import Validator

import simnet

ARGV = ["--netuid", "1", "--subtensor.network", "simnet"]


def main() -> None:
    os.environ["BRIEFS_API_KEY"] = "a-secret-the-cassette-must-not-hold"
    path = Path(__file__).parent / "cassettes" / "validator.yaml"
    with simnet.Simnet(redirect=True, outside=Path(__file__).parent / "outside.toml") as net:
        net.register(1, "validator", stake=1000, validator_permit=True)
        for name in ("miner-a", "miner-b"):
            net.register(1, name)
        validator = Validator(Validator.config([*ARGV, "--wallet.name", "validator"]))
        with Miner(Miner.config([*ARGV, "--wallet.name", "miner-a"])):
            with Miner(Miner.config([*ARGV, "--wallet.name", "miner-b"])) as last:
                while not last.axon.started:
                    time.sleep(0.02)
                validator.resync_metagraph()
                with simnet.recording(path):
                    validator.loop.run_until_complete(validator.forward())
        validator.run_log.finish()
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
