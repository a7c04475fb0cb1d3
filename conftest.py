"""Fixtures of this repository's own tests (simnet's fixtures come from its plugin).

One environment holds one bittensor: with 9.x/10.x the neuron stack's tests run, with
11.x those of ``tests/v11``; ``tests/any_stack`` runs with both (see ``simnet._release``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from simnet._release import NEURON_STACK

if TYPE_CHECKING:
    from miner import EchoModel, Miner
    from simnet import MinerContext

pytest_plugins = ["pytester"]

collect_ignore_glob = ["tests/v11/*"] if NEURON_STACK else ["tests/test_*.py", "tests/specimens/*"]


@pytest.fixture
def reference_miner() -> Callable[[MinerContext], Miner]:
    """A factory serving the reference miner with its defaults."""
    from miner import Miner

    return lambda ctx: Miner(ctx.wallet, ctx.metagraph)


@pytest.fixture
def echo() -> EchoModel:
    """The reference miner's model, to compute expected completions."""
    from miner import EchoModel

    return EchoModel()
