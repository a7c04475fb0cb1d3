"""simnet's pytest plugin, loaded through the ``pytest11`` entry point.

Fixtures (all names start with ``simnet``):

``simnet_wallets`` (session)
    A :class:`simnet.WalletFactory` writing unencrypted key files under pytest's
    temporary directory. Same name, same keys.
``simnet_axon_host`` (session)
    The one background thread and event loop that serves every axon of the session.
``simnet_transport`` (function)
    How dendrites reach axons: ``"tcp"`` (127.0.0.1) or ``"memory"`` (no socket). From
    ``@pytest.mark.simnet(transport=...)``, else ``--simnet-transport``, else the
    ``simnet_transport`` ini setting, else ``"tcp"``.
    ``@pytest.mark.simnet(transport=["tcp", "memory"])`` runs a test once over each.
``simnet_network`` (function), also ``simnet``
    An open :class:`simnet.Simnet` with a fresh chain state. At teardown its axons stop;
    the test fails if anything tried to leave loopback during it. ``simnet`` is the
    same object under the package's name; a test that imports ``simnet`` too asks for
    ``simnet_network``. Its miners run in N host processes with
    ``@pytest.mark.simnet(hosts=N)``, ``--simnet-hosts=N`` or the ``simnet_hosts`` ini
    setting (``auto``: one per CPU; off by default).
``simnet_netuid`` (function)
    The netuid the fixtures below use: ``@pytest.mark.simnet(netuid=8)``, else 1.
``simnet_metagraph`` (function)
    The real ``bittensor.Metagraph`` of ``simnet_netuid``, kept in step with the chain.
``simnet_validator`` (function)
    The wallet ``validator`` registered on ``simnet_netuid`` with 1000 stake and a
    validator permit.
``simnet_serve`` (function)
    ``simnet_serve(miner, **kwargs)`` serves a forward function, a miner object or a
    miner factory on ``simnet_netuid`` (see :meth:`simnet.Simnet.serve`).
``simnet_subnet`` (function)
    ``simnet_subnet(miner, miners=N, validators=M, ...)`` builds a whole subnet.
``simnet_dendrite`` (function, async)
    A real ``bittensor.Dendrite`` signing as ``simnet_validator``, closed at teardown.
``simnet_local`` (function)
    A :class:`simnet.local.LocalNetwork` on a state file of this test's own.
``simnet_run`` (function)
    ``simnet_run("python", "neurons/miner.py", ...)`` starts a neuron script, unmodified,
    as a process on ``simnet_local``; stopped at teardown, its log in the report (9.x,
    10.x and 11.x alike).

For bittensor 11.x (signed-HTTP subnets, :mod:`simnet.v11`):

``simnet_v11_wallets`` (session)
    Deterministic real ``bittensor.Wallet`` objects (11.x), same keys as ``simnet_wallets``.
``simnet_v11`` (function)
    An open :class:`simnet.v11.Network` over ``simnet_transport`` on the session's host:
    the SDK's own ``bittensor.Client`` (built anywhere, any network name) reaches its
    chain; ``simnet_v11.serve(netuid, app, wallet)`` serves a miner's ASGI app. At teardown it
    fails the test as ``simnet_network`` does. With 9.x/10.x installed, using it fails
    with one line saying what to install.

Fuzzing: ``--simnet-fuzz=package.module:Class`` (repeatable) or the ``simnet_fuzz``
ini setting (one target per line) adds one test per ready-made property per class. A
line may go on with ``simnet fuzz``'s options naming the validator's own code, each
``module:function``: ``--synapse-factory`` (its synapse builder, then the only source of
synapses; also the bare word after the class), ``--consumer`` (the function it folds the
yields with: chunking invariance and error bodies judge what it returns) and
``--round-trip`` (the protocol's documented transformation: adds the round trip);
``--simnet-fuzz-yields`` (ini ``simnet_fuzz_yields``) adds the property on what is yielded.
What the properties note (fields left out, findings the installed bittensor masks) is
listed in the terminal summary.
``--simnet-profile=simnet-dev|simnet-ci`` picks the hypothesis profile those properties
use (default: ``simnet-ci`` when ``$CI`` is set, else ``simnet-dev``).

Nothing here imports bittensor until a fixture or a property is used.
"""

from __future__ import annotations

import importlib.metadata
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from simnet.network.hosts import parse_hosts
from simnet.network.transports import TRANSPORTS, BaseTransport, parse_transport

if TYPE_CHECKING:
    from simnet import AxonHost, Registration, ServedAxon, Simnet, Subnet, WalletFactory
    from simnet.network.local import LocalState
    from simnet.network.processes import NeuronProcess
    from simnet.rehearsal.report import RehearsalReport
    from simnet.v11 import Network, Wallets

DEFAULT_NETUID = 1
VALIDATOR_STAKE = 1000.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("simnet", "simnet: offline Bittensor subnets")
    group.addoption(
        "--simnet-fuzz",
        action="append",
        default=[],
        metavar="TARGET",
        help="check simnet's ready-made properties on a StreamingSynapse class "
        "(package.module:Class or path/to/file.py:Class), optionally followed by simnet "
        "fuzz's --synapse-factory, --consumer and --round-trip MODULE:FUNC, as one "
        "argument; repeatable",
    )
    group.addoption(
        "--simnet-fuzz-yields",
        action="store_true",
        default=None,
        help="also check what process_streaming_response yields (for clients that consume "
        "the yields); default: the simnet_fuzz_yields ini setting",
    )
    group.addoption(
        "--simnet-profile",
        choices=["simnet-dev", "simnet-ci"],
        help="hypothesis profile for simnet's properties (default: simnet-ci under $CI)",
    )
    group.addoption(
        "--simnet-transport",
        choices=TRANSPORTS,
        help="how simnet's dendrites reach its axons: tcp (127.0.0.1) or memory (no "
        "socket); default: the simnet_transport ini setting, else tcp",
    )
    parser.addini(
        "simnet_fuzz",
        type="linelist",
        default=[],
        help="StreamingSynapse classes to fuzz, one a line, each optionally followed by "
        "--synapse-factory, --consumer, --round-trip MODULE:FUNC",
    )
    parser.addini(
        "simnet_fuzz_yields",
        type="bool",
        default=False,
        help="also fuzz what protocols yield (see --simnet-fuzz-yields)",
    )
    parser.addini("simnet_transport", default="tcp", help="default transport of simnet's fixtures")
    group.addoption(
        "--simnet-hosts",
        metavar="N|auto",
        help="serve simnet_network's miners in N child processes (one event loop each; "
        "auto: one per CPU; tcp only); default: the simnet_hosts ini setting, else off",
    )
    parser.addini(
        "simnet_hosts",
        default="",
        help="host processes of simnet_network's miners: N, auto, or empty (off)",
    )
    group.addoption(
        "--simnet-offline",
        action="store_true",
        default=None,
        help="keep the whole test session on loopback from the start (imports and "
        "collection included): any connection beyond it fails with OfflineViolation",
    )
    parser.addini(
        "simnet_offline",
        type="bool",
        default=False,
        help="like --simnet-offline: the whole session on loopback, from pytest_configure on",
    )
    parser.addini(
        "simnet_quiet",
        type="bool",
        default=True,
        help="filter warnings from bittensor's internals on simnet's path and pytest-asyncio's "
        "unset-loop-scope notice (false, or -W default::..., shows them again)",
    )
    group.addoption(
        "--simnet-blocking-threshold",
        metavar="SECONDS|off",
        help="seconds one callback may hold a watched event loop (the axons', the "
        "validator's) before it is reported as blocking; off: no detection; default: the "
        "simnet_blocking_threshold ini setting, else 0.2",
    )
    parser.addini(
        "simnet_blocking_threshold",
        default="0.2",
        help="like --simnet-blocking-threshold",
    )
    parser.addini(
        "simnet_outside",
        default="",
        help="a stubs file (outside.toml, relative to the rootdir) whose hosts simnet's "
        "networks answer on loopback: the HTTP APIs a subnet's neurons call",
    )
    parser.addini(
        "simnet_redirect",
        type="bool",
        default=False,
        help="point bittensor's constructors (Subtensor, Wallet, Axon, ...) at the simnet "
        "fixture in every test that uses it",
    )


# Warnings simnet's users cannot act on, each filtered by its origin:
# bittensor's Synapse reads `self.model_fields` on every request (pydantic 2.11 deprecated
# that); the axon of bittensor 9.0 stores its own version and the caller's port as strings
# in fields typed int before it dumps the synapse into the answer's headers, so pydantic
# warns on every refused request (and, under `filterwarnings = error`, that warning raised
# inside the axon turned its 401/403 into a bare 500); and pytest-asyncio asks every
# project to set a default fixture loop scope.
_AXON_STRING_FIELD = (
    r"\s+PydanticSerializationUnexpectedValue\(Expected `int` - serialized value may not be"
    r" as expected \[field_name='(version|port)', input_value='\d+', input_type=str\]\)"
)
QUIET = (
    (
        "Accessing the 'model_fields' attribute on the instance is deprecated",
        DeprecationWarning,
        "bittensor.core.synapse",
    ),
    (rf"Pydantic serializer warnings.({_AXON_STRING_FIELD})+\Z", UserWarning, "pydantic.main"),
    (
        'The configuration option "asyncio_default_fixture_loop_scope" is unset',
        DeprecationWarning,
        "pytest_asyncio.plugin",
    ),
)
"""(message, category, module) of each warning the ``simnet_quiet`` ini setting filters
(messages are regular expressions without colons, as pytest's ini lines take them)."""


def _refuse_hosts_on_11x(where: str, error: type[BaseException]) -> None:
    """Host processes serve 9.x/10.x axons; with 11.x installed, one line, not a silent
    in-thread run."""
    from simnet._release import BITTENSOR_VERSION, SIGNED_HTTP_STACK

    if SIGNED_HTTP_STACK:
        raise error(
            f"{where}: host processes serve bittensor 9.x/10.x axons only; with bittensor "
            f"{BITTENSOR_VERSION} (11.x) simnet serves miners in its own thread (leave it off)"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "simnet(netuid=1, strict=True, blocking_threshold=0.2, transport='tcp', "
        "redirect=False, outside=None, hosts=None): settings for simnet's fixtures in this test. "
        "hosts: serve the miners in N child processes (or 'auto'); redirect: "
        "bittensor's own constructors build on the simnet fixture. netuid: the subnet "
        "simnet_metagraph, "
        "simnet_validator, simnet_serve and simnet_dendrite use; strict: fail the test when "
        "a served miner misbehaves; blocking_threshold: seconds the axons' event loop may "
        "block (None: off); transport: tcp or memory (no socket), or a list of them to "
        "run the test once over each; outside: a stubs file of outside services",
    )
    if config.getini("simnet_quiet"):
        for message, category, module in QUIET:
            config.addinivalue_line(
                "filterwarnings", f"ignore:{message}:{category.__name__}:{module}"
            )
            # and for the warnings other plugins emit while pytest is being configured
            warnings.filterwarnings("ignore", message, category, module)
    ini = config.getini("simnet_transport")
    transport = _transport(ini, f"ini setting simnet_transport = {ini!r}")
    option = config.getoption("simnet_transport")  # one of TRANSPORTS: argparse checked it
    config.stash[_DEFAULT_TRANSPORT] = parse_transport(option) if option else transport
    hosts = config.getoption("simnet_hosts")
    where = "--simnet-hosts" if hosts is not None else "ini setting simnet_hosts"
    hosts = config.getini("simnet_hosts") if hosts is None else hosts
    try:
        config.stash[_DEFAULT_HOSTS] = parse_hosts(hosts, setting=where)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if config.stash[_DEFAULT_HOSTS]:
        _refuse_hosts_on_11x(where, pytest.UsageError)

    try:
        _configured_threshold(config)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None

    if config.getoption("simnet_offline") or config.getini("simnet_offline"):
        from simnet import _register_stack_patches
        from simnet.sandbox.offline import GUARD

        _register_stack_patches()

        GUARD.acquire()
        config.add_cleanup(GUARD.release)

    profile = config.getoption("simnet_profile")
    if profile:
        from simnet.fuzz.profiles import choose_profile

        choose_profile(profile)


def _fuzz_targets(config: pytest.Config) -> list[str]:
    return [*config.getini("simnet_fuzz"), *config.getoption("simnet_fuzz")]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _fuzz_targets(config):
        from simnet.fuzz.items import summarize

        summarize(terminalreporter)


def pytest_report_header(config: pytest.Config) -> list[str]:
    from simnet._release import unchecked_notice
    from simnet.fuzz.profiles import active_profile

    try:
        bittensor = importlib.metadata.version("bittensor")
    except importlib.metadata.PackageNotFoundError:
        bittensor = "not installed"
    header = (
        f"simnet: {importlib.metadata.version('bittensor-simnet')}, bittensor {bittensor}, "
        f"hypothesis profile {active_profile()}"
    )
    targets = _fuzz_targets(config)
    hosts = config.stash.get(_DEFAULT_HOSTS, 0)
    header += f", {hosts} host processes" if hosts else ""
    notice = unchecked_notice()  # a release newer than the checked ones: said at the start
    return [
        header + (f", fuzzing {', '.join(targets)}" if targets else ""),
        *filter(None, [notice]),
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("simnet")
    transports = marker.kwargs.get("transport") if marker else None
    if isinstance(transports, list | tuple) and "simnet_transport" in metafunc.fixturenames:
        where = f"@pytest.mark.simnet(transport={transports!r})"
        if not transports:
            raise pytest.UsageError(
                f"{where}: expected {' or '.join(TRANSPORTS)}, or a list of them"
            )
        parsed = [
            _transport(t, where, f"expected {' or '.join(TRANSPORTS)}, or a list of them")
            for t in transports
        ]
        metafunc.parametrize("simnet_transport", parsed, ids=[t.name for t in parsed])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    targets = _fuzz_targets(config)
    if targets:
        from simnet.fuzz.items import fuzz_items

        yields = config.getoption("simnet_fuzz_yields")
        yields = config.getini("simnet_fuzz_yields") if yields is None else yields
        items.extend(fuzz_items(session, targets, yields=bool(yields)))


@pytest.fixture(scope="session")
def simnet_wallets(tmp_path_factory: pytest.TempPathFactory) -> WalletFactory:
    """Deterministic real wallets for the whole session."""
    from simnet import WalletFactory

    return WalletFactory(tmp_path_factory.mktemp("simnet-wallets"))


@pytest.fixture(scope="session")
def simnet_axon_host() -> Iterator[AxonHost]:
    """The shared thread and event loop on which all axons of the session are served."""
    from simnet import AxonHost

    host = AxonHost()
    yield host
    host.close()


def _outside(request: pytest.FixtureRequest, options: dict[str, Any]) -> Path | None:
    """The marker's ``outside`` stubs file, else the ``simnet_outside`` ini setting's
    (either relative to the rootdir); ``None`` for no stubbed outside services."""
    text = options["outside"] if "outside" in options else request.config.getini("simnet_outside")
    return request.config.rootpath / text if text else None


def _configured_threshold(config: pytest.Config) -> float | None:
    """The blocking threshold of ``--simnet-blocking-threshold``, else of the ini."""
    from simnet.wire.blocking import parse_threshold

    text = config.getoption("simnet_blocking_threshold")
    if text is None:
        return parse_threshold(config.getini("simnet_blocking_threshold"))
    return parse_threshold(text)


def _blocking_threshold(request: pytest.FixtureRequest, options: dict[str, Any]) -> float | None:
    """The marker's ``blocking_threshold``, else the option's or the ini's."""
    if "blocking_threshold" in options:
        threshold: float | None = options["blocking_threshold"]
        return threshold
    return _configured_threshold(request.config)


_MARKER_KWARGS = {
    "netuid",
    "strict",
    "blocking_threshold",
    "transport",
    "redirect",
    "outside",
    "hosts",
}


def _marker_kwargs(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("simnet")
    kwargs = dict(marker.kwargs) if marker else {}
    unknown = set(kwargs) - _MARKER_KWARGS
    if unknown:
        raise pytest.UsageError(
            f"@pytest.mark.simnet got unknown argument(s) {sorted(unknown)}; "
            f"it takes {sorted(_MARKER_KWARGS)}"
        )
    return kwargs


_DEFAULT_TRANSPORT = pytest.StashKey[BaseTransport]()
_DEFAULT_HOSTS = pytest.StashKey[int]()


def _transport(value: object, where: str, expected: str = "") -> BaseTransport:
    """The transport ``value`` names; else a usage error naming ``where`` (the setting as
    the user wrote it) and the choices."""
    try:
        return parse_transport(value)
    except ValueError:
        raise pytest.UsageError(
            f"{where}: {expected or 'expected one of ' + ', '.join(TRANSPORTS)}"
        ) from None


@pytest.fixture
def simnet_transport(request: pytest.FixtureRequest) -> BaseTransport:
    """TCP or in memory (equal to its name, ``"tcp"`` or ``"memory"``): the marker's, else
    ``--simnet-transport``'s, else the ini's."""
    transport = _marker_kwargs(request).get("transport")
    if transport is None:
        return request.config.stash[_DEFAULT_TRANSPORT]
    return _transport(transport, f"@pytest.mark.simnet(transport={transport!r})")


@pytest.fixture
def simnet_network(
    request: pytest.FixtureRequest,
    simnet_wallets: WalletFactory,
    simnet_axon_host: AxonHost,
    simnet_transport: BaseTransport,
) -> Iterator[Simnet]:
    """An open, offline :class:`simnet.Simnet` with a fresh chain state.

    With ``@pytest.mark.simnet(redirect=True)`` (or the ``simnet_redirect`` ini
    setting), bittensor's own constructors build on it during the test, so a subnet's
    neuron classes run unmodified (see :meth:`simnet.Simnet.redirect_bittensor`).

    At teardown the test fails if a served miner misbehaved (an exception in a handler
    or token streamer, an ASGI violation, the event loop blocked) or if anything tried
    to leave loopback. ``@pytest.mark.simnet(strict=False)`` turns the first check off,
    ``@pytest.mark.simnet(blocking_threshold=None)`` (or a number of seconds) the
    blocking detector.
    """
    from simnet import Simnet

    options = _marker_kwargs(request)
    redirect = options.get("redirect", request.config.getini("simnet_redirect"))
    net = Simnet(
        wallets=simnet_wallets,
        host=simnet_axon_host,
        strict=options.get("strict", True),
        blocking_threshold=_blocking_threshold(request, options),
        transport=simnet_transport,
        redirect=bool(redirect),
        outside=_outside(request, options),
        hosts=options.get("hosts", request.config.stash[_DEFAULT_HOSTS]) or None,
    )
    with net:
        yield net
        violations = net.offline_violations
    if violations:
        pytest.fail("\n".join(violations), pytrace=False)


@pytest.fixture
def simnet(simnet_network: Simnet) -> Simnet:
    """The same network as ``simnet_network``, under the package's own name (a test that
    also imports the ``simnet`` module should ask for ``simnet_network``)."""
    return simnet_network


@pytest.fixture
def simnet_netuid(request: pytest.FixtureRequest) -> int:
    """The netuid used by simnet's other fixtures (``@pytest.mark.simnet(netuid=...)``)."""
    netuid = _marker_kwargs(request).get("netuid", DEFAULT_NETUID)
    if not isinstance(netuid, int) or not 0 <= netuid < 2**16:
        raise pytest.UsageError(f"@pytest.mark.simnet({netuid=}) must be an int in 0..65535")
    return netuid


@pytest.fixture
def simnet_metagraph(simnet_network: Simnet, simnet_netuid: int) -> Any:
    """The real, live ``bittensor.Metagraph`` of ``simnet_netuid``."""
    simnet_network.chain.create_subnet(simnet_netuid)
    return simnet_network.metagraph(simnet_netuid)


@pytest.fixture
def simnet_validator(simnet_network: Simnet, simnet_netuid: int) -> Registration:
    """The wallet ``validator``, registered with stake and a validator permit."""
    return simnet_network.register(
        simnet_netuid, "validator", stake=VALIDATOR_STAKE, validator_permit=True
    )


@pytest.fixture
def simnet_serve(simnet_network: Simnet, simnet_netuid: int) -> Callable[..., ServedAxon]:
    """``simnet_serve(miner, **kwargs)``: serve a miner on ``simnet_netuid``."""

    def serve(miner: object, **kwargs: Any) -> ServedAxon:
        return simnet_network.serve(simnet_netuid, miner, **kwargs)

    return serve


@pytest.fixture
def simnet_subnet(simnet_network: Simnet, simnet_netuid: int) -> Callable[..., Subnet]:
    """``simnet_subnet(miner, miners=N, validators=M, ...)``: build a whole subnet on
    ``simnet_netuid`` (see :meth:`simnet.Simnet.subnet`)."""

    def build(miner: object, **kwargs: Any) -> Subnet:
        return simnet_network.subnet(simnet_netuid, miner, **kwargs)

    return build


@pytest.fixture
def simnet_rehearse(simnet_network: Simnet, simnet_netuid: int) -> Callable[..., RehearsalReport]:
    """``simnet_rehearse(miner=Miner, validator=Validator, miners={...}, ...)``: run a
    rehearsal (see :class:`simnet.Rehearsal`) on the test's network, bittensor redirected
    to it, on ``simnet_netuid``; returns its report."""
    from simnet.rehearsal.run import Rehearsal

    def rehearse(**kwargs: Any) -> RehearsalReport:
        kwargs.setdefault("netuid", simnet_netuid)
        return Rehearsal(**kwargs).run(simnet_network)

    return rehearse


@pytest.fixture
def simnet_v11_rehearse(simnet_v11: Network) -> Callable[..., RehearsalReport]:
    """``simnet_v11_rehearse(miner=..., validator=..., step=..., miners={...}, ...)``: run
    a rehearsal (see :class:`simnet.Rehearsal`) on the test's 11.x network; returns its
    report (bittensor 11.x)."""
    from simnet.rehearsal.run import Rehearsal

    def rehearse(**kwargs: Any) -> RehearsalReport:
        return Rehearsal(**kwargs).run(simnet_v11)

    return rehearse


@pytest_asyncio.fixture
async def simnet_dendrite(
    simnet_network: Simnet, simnet_validator: Registration
) -> AsyncIterator[Any]:
    """A real ``bittensor.Dendrite`` signing as ``simnet_validator``."""
    async with simnet_network.dendrite(simnet_validator) as dendrite:
        yield dendrite


@pytest.fixture(scope="session")
def simnet_v11_wallets(tmp_path_factory: pytest.TempPathFactory) -> Wallets:
    """Deterministic real 11.x wallets (``bittensor.Wallet``) for the whole session."""
    from simnet._release import WrongStack, require

    try:
        require("v11")
    except WrongStack as exc:
        pytest.fail(str(exc), pytrace=False)
    from simnet.v11 import Wallets

    return Wallets(tmp_path_factory.mktemp("simnet-v11-wallets"))


@pytest.fixture
def simnet_v11(
    request: pytest.FixtureRequest,
    simnet_v11_wallets: Wallets,
    simnet_axon_host: AxonHost,
    simnet_transport: BaseTransport,
) -> Iterator[Network]:
    """An open :class:`simnet.v11.Network` with a fresh chain state (bittensor 11.x)."""
    from simnet.v11 import Network

    options = _marker_kwargs(request)
    if options.get("hosts"):
        _refuse_hosts_on_11x("@pytest.mark.simnet(hosts=...)", pytest.fail.Exception)
    net = Network(
        wallets=simnet_v11_wallets,
        host=simnet_axon_host,
        transport=simnet_transport,
        strict=options.get("strict", True),
        blocking_threshold=_blocking_threshold(request, options),
        outside=_outside(request, options),
    )
    with net:
        yield net
        violations = net.offline_violations
    if violations:
        pytest.fail("\n".join(violations), pytrace=False)


@pytest.fixture
def simnet_local(tmp_path: Path) -> Iterator[LocalState]:
    """A :class:`simnet.local.LocalNetwork` on a fresh state file of this test, for neuron
    processes (``simnet_run``) to share; its wallets are the processes' wallets (on 11.x,
    ``simnet.v11.local.LocalNetwork``, whose wallets are 11.x's ``bittensor.Wallet``)."""
    from simnet._release import SIGNED_HTTP_STACK

    if SIGNED_HTTP_STACK:
        from simnet.v11.local import LocalNetwork as V11Network

        local: LocalState = V11Network(tmp_path / "simnet-state" / "chain.sqlite")
    else:
        from simnet.neurons.local import LocalNetwork

        local = LocalNetwork(tmp_path / "simnet-state" / "chain.sqlite")
    yield local
    local.chain.close()


@pytest.fixture
def simnet_run(
    request: pytest.FixtureRequest, simnet_local: LocalState
) -> Iterator[Callable[..., NeuronProcess]]:
    """``simnet_run("python", "neurons/miner.py", "--netuid", "1", ...)``: start a neuron
    script, unmodified, as a ``simnet run`` process on ``simnet_local``'s state file.

    Returns a ``NeuronProcess`` (``wait_served()``, ``wait_until(predicate)``,
    ``output``, ``stop()``). ``cwd=`` sets its directory, ``env=`` adds environment
    variables, ``block_seconds=`` the chain's clock. The folders of pytest's
    ``pythonpath`` setting are on the process's path, as they are on the test's; the
    test's stubs file (the ``outside`` marker or ini setting) reaches it as
    ``--outside``. Either bittensor stack: on 11.x the process runs a subnet's own
    scripts (its ``bt.Client``, its server, its ``bt.Wallet``) on the same state. Every
    process is stopped at teardown (SIGINT first, as Ctrl-C) and its log is attached to
    the test's report.
    """
    from simnet.network.processes import NeuronProcess

    started: list[NeuronProcess] = []
    outside = _outside(request, _marker_kwargs(request))

    def run(
        *command: str,
        cwd: Any = None,
        block_seconds: float | None = None,
        env: dict[str, str] | None = None,
    ) -> NeuronProcess:
        log = simnet_local.path.parent / f"neuron-{len(started)}.log"
        env = _with_pythonpath(request.config, env)
        process = NeuronProcess(
            command,
            simnet_local,
            log,
            cwd=cwd,
            block_seconds=block_seconds,
            outside=outside,
            env=env,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        process.stop()
        request.node.add_report_section(
            "teardown", f"simnet run {' '.join(process.command)}", process.output
        )


def _with_pythonpath(config: pytest.Config, env: dict[str, str] | None) -> dict[str, str]:
    """``env`` with pytest's ``pythonpath`` folders first on ``PYTHONPATH``: a neuron
    process imports the subnet's package as the test that starts it does."""
    import os

    paths = [str(path) for path in config.getini("pythonpath")]
    given = (env or {}).get("PYTHONPATH", os.environ.get("PYTHONPATH"))
    return {**(env or {}), "PYTHONPATH": os.pathsep.join([*paths, *([given] if given else [])])}
