"""Run a validator: python neurons/validator.py --netuid 1 --wallet.name validator"""

import asyncio

from btauth_subnet.config import parse
from btauth_subnet.validator import Validator


def main(args: list[str] | None = None) -> None:
    asyncio.run(Validator(parse("validator", args)).run())


if __name__ == "__main__":
    main()
