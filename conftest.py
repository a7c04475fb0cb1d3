"""Fixtures of this repository's own tests (simnet's fixtures come from its plugin).

One environment holds one bittensor: with 9.x/10.x the neuron stack's tests run, with
11.x those of ``tests/v11``; ``tests/any_stack`` runs with both (see ``simnet._release``).
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from simnet._release import NEURON_STACK

if TYPE_CHECKING:
    from miner import EchoModel, Miner
    from simnet import MinerContext

pytest_plugins = ["pytester"]


def _import_early() -> None:
    """Import bittensor, every simnet module of this stack and what simnet imports
    lazily, once, before any test: an in-process pytester run drops every module first
    imported inside it when it ends, and importing one again fails (numpy: "cannot load
    module more than once") or makes classes that do not match the first import's (httpx
    stopped mapping httpcore's errors; cryptography refused its own curves), failing later
    tests of the same worker."""
    import simnet

    names = ["bittensor", "numpy", "aiohttp", "httpcore", "httpx", "requests", "trustme"]
    names += ["vcr", "cryptography.x509", "cryptography.hazmat.primitives.asymmetric.ec"]
    names += [
        module.name
        for module in pkgutil.walk_packages(simnet.__path__, "simnet.")
        if not module.name.endswith("__main__")
    ]
    for name in names:
        with contextlib.suppress(Exception):  # another stack's module, an optional extra
            importlib.import_module(name)


_import_early()

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
