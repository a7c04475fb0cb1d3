"""Fixtures of this repository's own tests (simnet's fixtures come from its plugin)."""

from collections.abc import Callable

import pytest

from miner import EchoModel, Miner
from simnet import MinerContext

pytest_plugins = ["pytester"]


@pytest.fixture
def reference_miner() -> Callable[[MinerContext], Miner]:
    """A factory serving the reference miner with its defaults."""
    return lambda ctx: Miner(ctx.wallet, ctx.metagraph)


@pytest.fixture
def echo() -> EchoModel:
    """The reference miner's model, to compute expected completions."""
    return EchoModel()
