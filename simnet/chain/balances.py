"""Free TAO balances and what a subnet's pool holds, with the values subtensor starts from.

simnet models the free balance of each coldkey and the registration burn; nothing else
moves TAO (no transfers, fees, staking or swaps). Every coldkey starts with
:data:`STARTING_BALANCE` (the wallets simnet makes are its own test wallets, so each is
funded the first time the chain sees it, like a local chain's pre-funded accounts);
``burned_register`` takes the subnet's burn from it, refused with the chain's
``NotEnoughBalanceToStake`` when it holds less. The values come from subtensor's runtime
(``runtime/src/lib.rs`` at opentensor/subtensor 14bc6f9f9).
"""

from __future__ import annotations

RAO_PER_TAO = 1_000_000_000


def rao(tao: float) -> int:
    """``tao`` in rao, to the nearest one: the one conversion of a stake (bittensor's
    ``Balance.from_tao`` truncates, so 1.001 TAO would read 1 rao short in one place and
    not another)."""
    return round(tao * RAO_PER_TAO)


STARTING_BALANCE = 1_000 * RAO_PER_TAO
"""Free rao of a coldkey the chain has not seen debited (1,000 TAO: 10,000 registrations)."""

REGISTRATION_BURN = 100_000_000
"""Rao a registration burns (``SubtensorInitialBurn``, 0.1 TAO). The chain raises it by
1.26x after each registration and lets it decay back over 360 blocks; simnet keeps it at
its initial value."""

POOL_TAO = 1_000 * RAO_PER_TAO
"""TAO in a subnet's pool (``SubnetTAO``): what a new subnet's pool starts with
(``SubtensorInitialMinLockCost``, 1,000 TAO). simnet's pools do not move."""

POOL_ALPHA = POOL_TAO
"""Alpha in a subnet's pool (``SubnetAlphaIn``): the TAO at the median subnet price,
1.0 on a chain whose subnets have not traded, so a simnet subnet's price is 1.0."""
