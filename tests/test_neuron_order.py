"""A template-shaped validator builds and runs in any test, sync or async, in any order,
and leaves no warning behind (it never closes its dendrite, as the subnet template never
does)."""

import asyncio
import gc
import re
import warnings
from pathlib import Path

import bittensor as bt
import pytest

import simnet
from tests.specimens.echo import Echo, echo_forward

ROOT = Path(__file__).resolve().parents[1]
# What simnet's objects could make bittensor, aiohttp or asyncio say (bittensor's own
# pydantic deprecations are not simnet's doing)
_SIMNETS_WARNINGS = re.compile(
    r"aclose_session|never awaited|[Uu]nclosed|no current event loop|Unraisable"
)

pytestmark = pytest.mark.simnet(redirect=True)

TEMPLATE_VALIDATOR = '''
import asyncio

import bittensor as bt

from tests.specimens.echo import Echo


class TemplateValidator:
    """The subnet template's validator constructor, in short: its own loop from
    asyncio.get_event_loop(), a dendrite it never closes."""

    def __init__(self):
        self.wallet = bt.Wallet(name="validator")
        self.subtensor = bt.Subtensor()
        self.metagraph = self.subtensor.metagraph(1)
        self.dendrite = bt.Dendrite(wallet=self.wallet)
        self.loop = asyncio.get_event_loop()

    async def forward(self):
        axons = [self.metagraph.axons[uid] for uid in range(1, self.metagraph.n)]
        return await self.dendrite(axons, Echo(text="hi"), deserialize=False)
'''


def _network(simnet_network):
    simnet_network.register(1, "validator", stake=1000, validator_permit=True)
    simnet_network.serve(1, echo_forward)


def _answered(responses):
    return [r.dendrite.status_code for r in responses] == [200]


@pytest.fixture
def template_validator(simnet_network, tmp_path, monkeypatch):
    _network(simnet_network)
    (tmp_path / "template_validator.py").write_text(TEMPLATE_VALIDATOR)
    monkeypatch.syspath_prepend(str(tmp_path))
    from template_validator import TemplateValidator

    return TemplateValidator


@pytest.mark.asyncio
async def test_built_in_an_async_test(template_validator):
    validator = template_validator()
    assert _answered(await validator.forward())


def test_built_in_a_sync_test(template_validator):
    validator = template_validator()
    assert _answered(validator.loop.run_until_complete(validator.forward()))


@pytest.mark.asyncio
async def test_built_in_another_async_test(template_validator):
    validator = template_validator()
    assert _answered(await validator.forward())


def test_built_in_another_sync_test(template_validator):
    validator = template_validator()
    assert _answered(validator.loop.run_until_complete(validator.forward()))


def test_async_sync_async_sync_in_one_session_pass_with_no_warning(pytester, monkeypatch):
    """The order the guide's recipe failed in: a sync test after an async one found no
    current event loop (pytest-asyncio unsets the loop it ran)."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_order=_this_module_without_the_pytester_test())
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-W", "always")
    result.assert_outcomes(passed=4)
    output = result.stdout.str() + result.stderr.str()
    assert _SIMNETS_WARNINGS.findall(output) == []


def _this_module_without_the_pytester_test() -> str:
    with open(__file__) as source:
        text = source.read()
    return text[: text.index("def test_async_sync_async_sync_in_one_session")]


def test_a_redirected_dendrite_never_closed_is_closed_at_teardown_without_warnings():
    gc.collect()  # earlier tests' garbage (starlette 0.37's unclosed memory streams) is not ours
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with simnet.Simnet(redirect=True) as net:
            _network(net)
            dendrite = bt.Dendrite(wallet=bt.Wallet(name="validator"))
            loop = asyncio.new_event_loop()
            axon = net.metagraph(1).axons[1]
            loop.run_until_complete(dendrite(axon, Echo(text="x"), deserialize=False))
        session = dendrite._session
        del dendrite
        gc.collect()
        loop.close()
        gc.collect()
    assert session.closed
    assert [str(w.message) for w in caught if _SIMNETS_WARNINGS.search(str(w.message))] == []
