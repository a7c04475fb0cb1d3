"""simnet's pytest plugin, exercised in inner pytest runs."""

import itertools
import os
import subprocess
import sys

import pytest

# Import everything the inner runs use up front: pytester's in-process runs drop modules
# first imported during a run, and a second copy of hypothesis' classes would not mix.
import simnet.cli.fuzz
import simnet.fuzz.items
import simnet.neurons.simnet
import simnet.properties  # noqa: F401
from tests.helpers import nothing_left_behind

INNER_SUBNET = """
import pytest
import bittensor as bt
from functools import partial

class Echo(bt.StreamingSynapse):
    text: str = ""
    reply: str = ""

    async def process_streaming_response(self, response):
        async for chunk in response.content.iter_any():
            self.reply += chunk.decode()
            yield chunk

    def extract_response_json(self, response):
        return {"text": self.text, "reply": self.reply}

async def _stream(text, send):
    await send({"type": "http.response.body", "body": text.encode(), "more_body": True})

def forward(synapse: Echo) -> Echo.BTStreamingResponse:
    return synapse.create_streaming_response(partial(_stream, synapse.text))
"""


@pytest.fixture(autouse=True)
def _inner_ini(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to count sockets")
@pytest.mark.parametrize("transport", ["tcp", "memory"])
def test_fixtures_leave_no_thread_socket_or_event_loop_behind(pytester, transport):
    pytester.makepyfile(
        INNER_SUBNET
        + """
@pytest.mark.asyncio
async def test_stream(simnet_serve, simnet_dendrite, simnet_metagraph):
    axon = simnet_serve(forward)
    responses = await simnet_dendrite([simnet_metagraph.axons[axon.uid]], Echo(text="hi"),
                                      streaming=True, deserialize=False)
    items = [item async for item in responses[0]]
    assert items[-1].reply == "hi"
    assert items[-1].dendrite.status_code == 200

def test_sync_use(simnet, simnet_validator):
    simnet.serve(1, forward)
    simnet.serve(1, forward)
    assert len(simnet.axons) == 2
"""
    )
    with nothing_left_behind():
        result = pytester.runpytest_inprocess(
            "-p", "no:randomly", f"--simnet-transport={transport}"
        )
        result.assert_outcomes(passed=2)


def test_the_netuid_marker_picks_the_subnet(pytester):
    pytester.makepyfile(
        """
import pytest

@pytest.mark.simnet(netuid=8)
def test_marked(simnet_metagraph, simnet_validator):
    assert simnet_metagraph.netuid == 8
    assert simnet_validator.netuid == 8
    assert simnet_metagraph.validator_permit[simnet_validator.uid]

def test_default(simnet_metagraph):
    assert simnet_metagraph.netuid == 1
"""
    )
    pytester.runpytest_inprocess("--strict-markers").assert_outcomes(passed=2)


_TRANSPORT_TESTS = """
import pytest

def test_default(simnet_serve, simnet_transport):
    axon = simnet_serve(lambda ctx: __import__("miner").Miner(ctx.wallet, ctx.metagraph))
    assert axon.transport == simnet_transport
    print("TRANSPORT", simnet_transport)

@pytest.mark.simnet(transport="tcp")
def test_marked_tcp(simnet):
    assert simnet.transport == "tcp"

@pytest.mark.simnet(transport=["tcp", "memory"])
def test_both(simnet):
    print("BOTH", simnet.transport)
"""


@pytest.mark.parametrize(
    ("args", "ini", "default"),
    [
        ((), "", "tcp"),
        (("--simnet-transport=memory",), "", "memory"),
        ((), "simnet_transport = memory", "memory"),
        (("--simnet-transport=tcp",), "simnet_transport = memory", "tcp"),
    ],
    ids=["tcp-by-default", "option", "ini", "option-over-ini"],
)
def test_the_transport_comes_from_marker_option_or_ini(pytester, args, ini, default):
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{ini}\n")
    pytester.makepyfile(_TRANSPORT_TESTS)
    result = pytester.runpytest_inprocess("-s", "-v", *args)
    result.assert_outcomes(passed=4)
    out = result.stdout.str()
    assert f"TRANSPORT {default}" in out
    assert "test_both[tcp]" in out
    assert "test_both[memory]" in out


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("@pytest.mark.simnet(transport='udp')", "transport='udp'): expected one of tcp, memory"),
        ("@pytest.mark.simnet(transport=['tcp', 'x'])", "expected tcp or memory, or a list"),
    ],
)
def test_an_unknown_transport_in_the_marker_is_a_usage_error(pytester, setting, message):
    pytester.makepyfile(f"import pytest\n\n{setting}\ndef test_it(simnet):\n    pass\n")
    result = pytester.runpytest_inprocess()
    assert result.ret != 0
    assert message in result.stdout.str() + result.stderr.str()


def test_an_unknown_transport_in_the_ini_is_a_usage_error(pytester):
    pytester.makeini("[pytest]\nsimnet_transport = carrier-pigeon\n")
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "simnet_transport = 'carrier-pigeon'" in result.stderr.str()


def test_a_swallowed_attempt_to_leave_loopback_still_fails_the_test(pytester):
    pytester.makepyfile(
        """
import socket

def test_sneaky(simnet):
    try:
        socket.getaddrinfo("simnet-test.invalid", 80)
    except OSError:
        pass
"""
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1, errors=1)  # the failure is reported at teardown
    result.stdout.fnmatch_lines(["*refused a DNS lookup of 'simnet-test.invalid'*"])


def test_serving_something_that_is_not_a_miner_says_what_is_expected(pytester):
    pytester.makepyfile(
        """
import pytest

def test_bad(simnet_serve):
    with pytest.raises(TypeError, match="expected a forward function"):
        simnet_serve(object())
"""
    )
    pytester.runpytest_inprocess().assert_outcomes(passed=1)


def test_the_report_header_names_simnet_and_bittensor(pytester):
    from importlib.metadata import version

    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest_inprocess()
    result.stdout.fnmatch_lines(
        [
            f"simnet: {version('bittensor-simnet')}, bittensor {version('bittensor')}, "
            "hypothesis profile *"
        ]
    )


def test_every_simnet_fixture_has_a_docstring(pytester):
    pytester.makepyfile("def test_nothing(): pass")
    lines = pytester.runpytest_inprocess("--fixtures").stdout.lines
    documented = {}
    for line, following in itertools.pairwise(lines):
        if line.startswith("simnet") and " -- " in line:
            documented[line.split()[0]] = "no docstring available" not in following
    expected = {"simnet", "simnet_wallets", "simnet_metagraph", "simnet_serve", "simnet_dendrite"}
    assert expected <= set(documented)
    assert all(documented.values()), documented


def test_loading_the_plugin_does_not_import_bittensor():
    code = "import sys, simnet.plugin; print('bittensor' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_fuzz_option_generates_one_test_per_property(pytester):
    (pytester.path / "specimen.py").write_text(
        (
            __import__("pathlib").Path(__file__).parent / "specimens" / "tutorial_protocol.py"
        ).read_text()
    )
    pytester.makepyfile(test_nothing="def test_nothing(): pass")

    result = pytester.runpytest_inprocess(
        "--simnet-fuzz",
        "specimen.py:TutorialStreamPrompting",
        "--simnet-profile",
        "simnet-dev",
        "--simnet-fuzz-yields",
    )

    # chunking invariance, error bodies and yields fail; the header contract holds.
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*hypothesis profile simnet-dev, fuzzing specimen.py:TutorialStreamPrompting*",
            "*reproduce with:*",
            "*simnet fuzz notes (not failures)*",
            "*specimen.py:TutorialStreamPrompting header_contract: no effect on bittensor*",
        ]
    )


def test_the_fuzz_ini_setting_generates_tests_too(pytester):
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "simnet_fuzz =\n    protocol:StreamPrompting\n"
    )
    pytester.makepyfile(test_nothing="def test_nothing(): pass")
    result = pytester.runpytest_inprocess("-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*simnet-fuzz?protocol:StreamPrompting::header_contract?*PASSED*"])


def test_a_fuzz_target_may_name_the_validators_synapse_builder(pytester):
    real = __import__("pathlib").Path(__file__).parent / "specimens" / "real_protocols.py"
    (pytester.path / "specimen.py").write_text(real.read_text())
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "simnet_fuzz =\n    specimen.py:OptionalTexts specimen.py:build_optional_texts\n"
        "    specimen.py:OptionalTexts specimen.py:no_such_builder\n"
    )
    result = pytester.runpytest_inprocess(
        "-v", "-p", "no:randomly", "--simnet-profile", "simnet-dev"
    )
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(["*specimen.py has no attribute 'no_such_builder'*"])
    assert "texts=None" not in result.stdout.str()


def test_the_offline_option_fails_a_download_at_import_time_naming_the_address(pytester):
    pytester.makepyfile(
        test_downloads="""
import socket
socket.create_connection(("192.0.2.7", 443), timeout=1)  # a tokenizer download, say

def test_never_collected():
    pass
"""
    )
    result = pytester.runpytest_subprocess("--simnet-offline", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["*OfflineViolation*192.0.2.7:443*"])
    assert result.ret != 0


def test_the_offline_ini_setting_keeps_every_test_on_loopback(pytester):
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nsimnet_offline = true\n"
    )
    pytester.makepyfile(
        test_net="""
import socket, pytest
import simnet

def test_leaving_loopback_is_refused():
    with pytest.raises(simnet.OfflineViolation):
        socket.create_connection(("192.0.2.7", 80), timeout=1)
"""
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)


def test_the_redirect_marker_runs_a_neuron_class_unmodified(pytester):
    pytester.makepyfile(
        test_neuron="""
import bittensor as bt
import pytest

class Neuron:  # builds its own bittensor objects, as subnet neurons do
    def __init__(self, netuid):
        self.wallet = bt.Wallet(name="neuron")
        self.subtensor = bt.Subtensor(network="finney")
        self.metagraph = self.subtensor.metagraph(netuid)

@pytest.mark.simnet(redirect=True)
def test_neuron(simnet):
    simnet.register(5, "neuron")
    neuron = Neuron(5)
    assert neuron.metagraph.hotkeys == [simnet.wallet("neuron").hotkey.ss58_address]

def test_without_the_marker_bittensor_is_untouched(simnet):
    assert not type(bt.Subtensor).__name__ == "StandIn"
"""
    )
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=2)


QUIET_SUBNET_TEST = (
    INNER_SUBNET
    + """
@pytest.mark.asyncio
async def test_stream(simnet_serve, simnet_dendrite, simnet_metagraph):
    axon = simnet_serve(forward)
    stream = await simnet_dendrite(
        simnet_metagraph.axons[axon.uid], Echo(text="hi"), streaming=True, deserialize=False
    )
    assert [item async for item in stream][-1].reply == "hi"

@pytest.mark.asyncio
async def test_a_forged_request_is_refused(simnet, simnet_serve, simnet_validator):
    from simnet import attacks

    axon = simnet_serve(forward)
    result = await attacks.attack(
        simnet, axon, Echo(text="hi"), "bad_signature", caller=simnet_validator
    )
    assert (result.status, result.rejected) == (401, True)
"""
)


def test_a_subnets_run_prints_no_warning_from_bittensors_internals(pytester):
    pytester.makeini(  # no asyncio_default_fixture_loop_scope either
        "[pytest]\nfilterwarnings =\n    error\n"
        # this checkout's editable install, not something a subnet's run meets
        "    ignore:Module already imported:pytest.PytestAssertRewriteWarning\n"
        # `import bittensor` itself on 9.0-9.11 (munch 2.5 imports pkg_resources), with or
        # without simnet: a subnet on those releases that fails on warnings filters it
        "    ignore:pkg_resources is deprecated as an API:DeprecationWarning\n"
    )
    pytester.makepyfile(test_quiet=QUIET_SUBNET_TEST)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2, warnings=0)
    assert "model_fields" not in result.stdout.str()
    assert "is unset" not in result.stderr.str() + result.stdout.str()


def test_the_quiet_setting_off_shows_them_again(pytester):
    pytester.makeini("[pytest]\nsimnet_quiet = false\n")
    pytester.makepyfile(test_quiet=QUIET_SUBNET_TEST)
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.stdout.fnmatch_lines(["*model_fields*"])


def test_a_test_can_use_the_module_and_the_network_fixture_together(pytester):
    pytester.makepyfile(
        test_both="""
import simnet

def test_both(simnet_network, simnet):
    assert isinstance(simnet_network, simnet.__class__)  # `simnet` here is the fixture
    assert simnet is simnet_network

def test_module(simnet_network):
    import simnet as module
    assert isinstance(simnet_network, module.Simnet)
"""
    )
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=2)


def test_simnet_hosts_serves_the_fixtures_miners_in_host_processes(pytester):
    pytester.makepyfile(
        INNER_SUBNET
        + """
import os

@pytest.mark.asyncio
async def test_stream(simnet, simnet_serve, simnet_dendrite, simnet_metagraph):
    axon = simnet_serve(forward)
    assert simnet.hosts == 1 and os.getpid() not in simnet.host_pids
    responses = await simnet_dendrite([simnet_metagraph.axons[axon.uid]], Echo(text="hi"),
                                      streaming=True, deserialize=False)
    items = [item async for item in responses[0]]
    assert items[-1].reply == "hi"

@pytest.mark.simnet(hosts=None)
def test_the_marker_turns_them_off(simnet):
    assert simnet.hosts == 0 and simnet.host_pids == []
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly", "--simnet-hosts=1")
    result.assert_outcomes(passed=2)
    assert "1 host processes" in result.stdout.str()


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["--simnet-hosts=many"], "", "--simnet-hosts='many' must be a positive integer"),
        ([], "simnet_hosts = 0.5", "ini setting simnet_hosts='0.5' must be a positive integer"),
    ],
)
def test_bad_simnet_hosts_is_a_usage_error_in_one_line(pytester, args, ini, message):
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{ini}\n")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_inprocess(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def _real_specimen(pytester, *lines):
    real = __import__("pathlib").Path(__file__).parent / "specimens" / "real_protocols.py"
    (pytester.path / "specimen.py").write_text(real.read_text())
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nsimnet_fuzz =\n"
        + "".join(f"    {line}\n" for line in lines)
    )


def test_a_fuzz_target_may_name_the_validators_consumer_as_the_cli_does(pytester):
    _real_specimen(
        pytester,
        "specimen.py:YieldsRawText --consumer specimen.py:sse_deltas",
        "specimen.py:YieldsRawText --consumer=specimen.py:json_per_chunk",
    )
    result = pytester.runpytest_inprocess(
        "-v", "-p", "no:randomly", "--simnet-profile", "simnet-dev"
    )
    # sse_deltas: all three hold; json_per_chunk: chunking invariance and error bodies fail.
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["*the consumer returns*"])


def test_a_fuzz_target_naming_its_round_trip_gets_that_property_too(pytester):
    _real_specimen(
        pytester,
        "specimen.py:KeepsLines --round-trip specimen.py:completion_is_the_text",
        "specimen.py:DropsNewlines --round-trip specimen.py:completion_is_the_text",
    )
    result = pytester.runpytest_inprocess(  # the other properties: the tests above
        "-v", "-p", "no:randomly", "--simnet-profile", "simnet-dev", "-k", "round_trip"
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*simnet-fuzz?specimen.py:KeepsLines::round_trip?*PASSED*",
            "*simnet-fuzz?specimen.py:DropsNewlines::round_trip?*FAILED*",
        ]
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("specimen.py:KeepsLines --consumer", "--consumer needs MODULE:FUNC"),
        ("specimen.py:KeepsLines --fold specimen.py:f", "unexpected '--fold' (a line takes"),
        ("specimen.py:KeepsLines a:b c:d", "unexpected 'c:d'"),
        ("specimen.py:KeepsLines --consumer a:b --consumer a:c", "--consumer given twice"),
    ],
)
def test_a_fuzz_target_line_simnet_cannot_read_is_a_usage_error_in_one_line(
    pytester, line, message
):
    _real_specimen(pytester, line)
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: simnet_fuzz line '{line}': {message}*"])


def test_options_of_a_reader_target_fail_its_items_in_one_line(pytester):
    specimens = __import__("pathlib").Path(__file__).parent / "any_stack" / "specimens.py"
    (pytester.path / "readers.py").write_text(specimens.read_text())
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nsimnet_fuzz =\n"
        "    readers.py:sse_words --consumer readers.py:sse_words\n"
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly", "--simnet-profile", "simnet-dev")
    result.stdout.fnmatch_lines(["*--consumer apply to StreamingSynapse classes*is a reader*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED
