"""Run a miner: python neurons/miner.py --netuid 1 --wallet.name miner --axon.port 8091
(it publishes its address on chain at startup)."""

import uvicorn
from btauth_subnet.config import parse
from btauth_subnet.miner import Miner


def main(args: list[str] | None = None) -> None:
    miner = Miner(parse("miner", args))
    uvicorn.run(miner.app, host=miner.config.axon_ip, port=miner.config.axon_port)


if __name__ == "__main__":
    main()
