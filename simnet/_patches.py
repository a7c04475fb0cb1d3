"""Every place simnet patches another library or reaches into its internals, in one list.

Each :class:`Seam` names the library, the releases it was written and checked against,
the attributes it touches, the simnet module that touches them, how long the change
lasts, and the shape it expects. The module touching a seam reads or swaps it through
:func:`found`, :func:`swap` and :func:`put_back`, which check that shape first: a release
that changed it stops the run with :class:`simnet._release.SeamChanged`, one line naming
the library, the installed release and the seam, never a wrong result or a traceback
from inside the library. (hypothesis' ``internal/compat.py`` is the model.)

This module imports no library it lists: the owner hands it the object that holds the
attribute. ``tests/any_stack/test_patches.py`` opens and closes each owner and checks
that every seam is put back, and that a faked changed shape gives the one line.

Adding a seam: a :class:`Seam` below (and in :data:`SEAMS`), the owner touching it only
through these functions, and how to open its owner in ``tests/any_stack/test_patches.py``.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from simnet._release import SeamChanged

Shape = Callable[[Any], "str | None"]
"""What an attribute must look like: the problem with ``value``, or ``None``."""

Lifetime = Literal["owner", "process", "instance", "subclass"]
"""How long simnet's change lasts: until its owner closes (put back, and tested); for the
rest of the process (a recording wrapper, a trusted CA); on an object simnet made and
throws away; or in a subclass of simnet's overriding a method."""


@dataclass(frozen=True)
class Seam:
    """One place simnet patches or reaches into ``library``."""

    library: str
    """The distribution (``importlib.metadata`` name)."""
    holder: str
    """The module or class holding the attributes (``module:Class`` for a class)."""
    attributes: tuple[str, ...]
    checked: str
    """The releases it was written and checked against."""
    owner: str
    """The simnet module that touches it."""
    what: str
    lifetime: Lifetime
    shape: Shape | dict[str, Shape]
    """What each attribute must look like (one shape for all, or one per attribute)."""
    stack: Literal["neuron", "v11", "any"] = "any"
    """The bittensor stack the seam is used with."""

    @property
    def name(self) -> str:
        """``module.Class.attribute`` (several attributes joined by ``/``)."""
        return f"{self.holder.replace(':', '.')}.{'/'.join(self.attributes)}"

    def changed(self, detail: str, attribute: str | None = None) -> SeamChanged:
        """The one line naming the library, its installed release and this seam (its
        ``attribute``, when one is at fault)."""
        name = f"{self.holder.replace(':', '.')}.{attribute}" if attribute else self.name
        return SeamChanged(name, detail, library=self.library, checked=self.checked)


def found(seam: Seam, holder: Any, attribute: str | None = None) -> Any:
    """``holder``'s ``attribute`` (which may be left out when the seam has one) if it has
    the expected shape; else :class:`~simnet._release.SeamChanged`."""
    if attribute is None and len(seam.attributes) == 1:
        attribute = seam.attributes[0]
    if attribute not in seam.attributes:
        raise ValueError(f"{attribute!r} is not one of {seam.name}'s attributes")
    missing = object()
    value = getattr(holder, attribute, missing)
    if value is missing:
        raise seam.changed("it is gone", attribute)
    key = (seam.name, attribute)
    if _passed.get(key) is value:
        return value  # the same object passed before: no signature read again per axon
    shape = seam.shape[attribute] if isinstance(seam.shape, dict) else seam.shape
    problem = shape(value)
    if problem is not None:
        raise seam.changed(f"it {problem}", attribute)
    if isinstance(value, type | types.FunctionType | types.ModuleType):
        _passed[key] = value
    return value


_passed: dict[tuple[str, str], Any] = {}
"""The last class, function or module each seam's attribute was found to be in shape."""


def swap(seam: Seam, holder: Any, replacements: dict[str, Any]) -> dict[str, Any]:
    """Put ``replacements`` in place of ``holder``'s attributes after checking each;
    returns what was there, for :func:`put_back`. Nothing is swapped if one fails."""
    originals = {name: found(seam, holder, name) for name in replacements}
    for name, value in replacements.items():
        setattr(holder, name, value)
    return originals


def put_back(holder: Any, originals: dict[str, Any]) -> None:
    """Undo a :func:`swap`."""
    for name, value in originals.items():
        setattr(holder, name, value)


# -- shapes ----------------------------------------------------------------------------------
def present(value: Any) -> str | None:
    """Any value will do: simnet only needs the attribute to exist."""
    return None


def a_callable(value: Any) -> str | None:
    return None if callable(value) else f"is a {type(value).__name__}, not callable"


def a_class(value: Any) -> str | None:
    return None if isinstance(value, type) else f"is a {type(value).__name__}, not a class"


def taking(*parameters: str, exactly: bool = False) -> Shape:
    """A callable whose signature names ``parameters`` (with ``exactly``: those and no
    other, in that order)."""

    def shape(value: Any) -> str | None:
        if not callable(value):
            return f"is a {type(value).__name__}, not callable"
        try:
            names = list(inspect.signature(value).parameters)
        except (TypeError, ValueError):
            return None  # a builtin without a signature: nothing more to check
        ok = names == list(parameters) if exactly else set(parameters) <= set(names)
        if ok:
            return None
        return f"takes ({', '.join(names)}), simnet expects ({', '.join(parameters)})"

    return shape


def with_attributes(*names: str) -> Shape:
    """An object (or class) that has every one of ``names``."""

    def shape(value: Any) -> str | None:
        gone = [name for name in names if not hasattr(value, name)]
        return f"has no {', '.join(gone)}" if gone else None

    return shape


def both(*shapes: Shape) -> Shape:
    def shape(value: Any) -> str | None:
        return next((p for s in shapes if (p := s(value)) is not None), None)

    return shape


# -- the inventory ---------------------------------------------------------------------------
_NEURON = "9.0-10.5"
_V11 = "11.0-11.3"

EXTERNAL_IP = Seam(
    "bittensor",
    "bittensor.utils.networking",
    ("get_external_ip",),
    _NEURON,
    "simnet._compat (registered with simnet.sandbox.offline's guard)",
    "answers 127.0.0.1 while the offline guard is active (Axon and Dendrite ask it)",
    "owner",
    taking(),
    stack="neuron",
)
REQUIRED_FIELDS = Seam(
    "bittensor",
    "bittensor.core.synapse:Synapse",
    ("get_required_fields",),
    _NEURON,
    "simnet.wire.speedups",
    "a per-class cache of the JSON schema's required fields while a network is open",
    "owner",
    taking("self", exactly=True),
    stack="neuron",
)
CONSTRUCTORS = Seam(
    "bittensor",
    "bittensor",
    (
        *("Subtensor", "AsyncSubtensor", "Metagraph", "AsyncMetagraph", "Wallet", "Axon"),
        *("Dendrite", "subtensor", "metagraph", "wallet", "axon", "dendrite"),
    ),
    _NEURON,
    "simnet.neurons.redirect",
    "stand-ins building simnet's objects while bittensor is redirected (9.x's lower-case "
    "aliases and AsyncMetagraph where the release has them)",
    "owner",
    a_class,
    stack="neuron",
)
AXON = Seam(
    "bittensor",
    "bittensor.core.axon:Axon",
    ("__init__", "thread_pool", "started", "app"),
    _NEURON,
    "simnet.neurons.axons",
    "Axon.__init__ on loopback; its own pool swapped for the host's; started set; app served",
    "instance",
    {
        "__init__": taking(
            *("self", "wallet", "config", "port", "ip"),
            *("external_ip", "external_port", "max_workers"),
        ),
        "thread_pool": with_attributes("shutdown", "submit"),
        "started": present,
        "app": present,
    },
    stack="neuron",
)
DENDRITE = Seam(
    "bittensor",
    "bittensor.core.dendrite:Dendrite",
    ("session", "_session", "close_session"),
    _NEURON,
    "simnet.neurons.dendrites, simnet.neurons.redirect",
    "session built on simnet's connector; _session read and closed at teardown; "
    "close_session silenced on a closed network's dendrites",
    "subclass",
    {"session": present, "_session": present, "close_session": a_callable},
    stack="neuron",
)
UVICORN_LOGGING = Seam(
    "uvicorn",
    "uvicorn:Config",
    ("configure_logging",),
    "0.54-0.55",
    "simnet.wire.speedups",
    "skipped while an Axon simnet serves is built (bittensor's own uvicorn.Config)",
    "owner",
    taking("self", exactly=True),
    stack="neuron",
)
UVICORN_SERVER = Seam(
    "uvicorn",
    "uvicorn:Server",
    ("main_loop", "on_tick", "should_exit", "server_state", "lifespan"),
    "0.54-0.55",
    "simnet.network.servers",
    "main_loop overridden to wake at a stop request; a connection's protocol made as "
    "startup makes one (config.http_protocol_class(config, server_state, app_state))",
    "subclass",
    {
        "main_loop": taking("self", exactly=True),
        "on_tick": taking("self", "counter", exactly=True),
        "should_exit": present,
        "server_state": present,
        "lifespan": with_attributes("state"),
    },
)
UVICORN_PROTOCOL = Seam(
    "uvicorn",
    "uvicorn:Config",
    ("http_protocol_class",),
    "0.54-0.55",
    "simnet.network.servers",
    "called for each accepted connection, as uvicorn's startup calls it",
    "instance",
    taking("config", "server_state", "app_state"),
)
UVICORN_CYCLE = Seam(
    "uvicorn",
    "uvicorn.protocols.http.h11_impl",  # and httptools_impl: the protocol's own module
    ("RequestResponseCycle",),
    "0.54-0.55",
    "simnet.wire.injector (checked by simnet.network.servers when a server starts)",
    "an ASGI send is a method of the request cycle: a fault that drops the connection "
    "aborts send.__self__.transport",
    "instance",
    both(a_class, taking("transport")),
)
FASTAPI_ANALYSIS = Seam(
    "fastapi",
    "fastapi.dependencies.utils",
    ("analyze_param",),
    "0.110-0.165",
    "simnet.wire.speedups",
    "a parameter of one name and class analysed once while simnet builds an Axon",
    "owner",
    taking("annotation", "value", "param_name"),
    stack="neuron",
)
AIOHTTP_SERVER = Seam(
    "aiohttp",
    "aiohttp.web:Server",
    ("request_factory", "request_handler"),
    "3.14",
    "simnet.network.serving, simnet.wire.injector",
    "wrapped on simnet's own low-level server (hygiene, per-request context, fault plans)",
    "instance",
    {
        "request_factory": taking("message", "payload", "protocol", "writer", "task"),
        "request_handler": a_callable,
    },
)
AIOHTTP_REQUEST = Seam(
    "aiohttp",
    "aiohttp.web:BaseRequest",
    ("_payload_writer",),
    "3.14",
    "simnet.wire.injector",
    "swapped, while a lost response's handler runs, for a writer dropping the response; "
    "put back when the handler returns",
    "instance",
    with_attributes("write_headers", "write", "write_eof"),
)
AIOHTTP_WRITER = Seam(
    "aiohttp",
    "aiohttp.http_writer:StreamWriter",
    ("write_headers", "write", "write_eof", "send_headers"),
    "3.14",
    "simnet.wire.injector",
    "wrapped by the fault plans (write_headers(status_line, headers), write, write_eof) "
    "and stood in for by the dropping writer: every write/send method must be one of these",
    "instance",
    {
        "write_headers": taking("self", "status_line", "headers", exactly=True),
        "write": taking("self", "chunk"),
        "write_eof": taking("self", "chunk", exactly=True),
        "send_headers": taking("self"),
    },
)
AIOHTTP_CONNECTOR = Seam(
    "aiohttp",
    "aiohttp:BaseConnector",
    ("_create_connection",),
    "3.14",
    "simnet.network.memory",
    "overridden by the in-memory connector",
    "subclass",
    taking("self", "req", "traces", "timeout", exactly=True),
)
AIOHTTP_READER = Seam(
    "aiohttp",
    "aiohttp:StreamReader",
    ("_wait",),
    "3.14",
    "simnet.fuzz.response",
    "overridden so that every wait for data receives the next drawn chunk",
    "subclass",
    taking("self", "func_name", exactly=True),
)
AIOHTTP_SSL = Seam(
    "aiohttp",
    "aiohttp.connector",
    ("_SSL_CONTEXT_VERIFIED",),
    "3.14",
    "simnet.outside.services",
    "the run's certificate authority added to aiohttp's default context (made at import)",
    "process",
    with_attributes("load_verify_locations"),
)
HTTPX_POOL = Seam(
    "httpx",
    "httpx:AsyncHTTPTransport",
    ("_pool",),
    "0.29",
    "simnet.network.httpx_memory",
    "the pool httpx builds replaced by the same pool on simnet's in-memory backend",
    "subclass",
    with_attributes("handle_async_request", "aclose"),
)
HTTPX_TRANSPORT = Seam(
    "httpx",
    "httpx._client",
    ("AsyncHTTPTransport",),
    "0.29",
    "simnet.v11.network",
    "clients built without a transport reach the in-memory miners while a memory network is open",
    "owner",
    a_class,
    stack="v11",
)
RPC_SUBSTRATE = Seam(
    "bittensor",
    "bittensor.client",
    ("RpcSubstrate",),
    _V11,
    "simnet.v11.network",
    "Client/SyncClient/Subtensor built without substrate= reach the open network's chain",
    "owner",
    present,
    stack="v11",
)
V11_WALLET = Seam(
    "bittensor",
    "bittensor",
    ("Wallet", "wallet"),
    _V11,
    "simnet.v11.redirect",
    "bt.Wallet (and its lower-case alias where a release has it) building simnet's wallets "
    "while a script runs under simnet run",
    "owner",
    a_class,
    stack="v11",
)
V11_WALLET_MODULE = Seam(
    "bittensor",
    "bittensor.wallet",
    ("Wallet",),
    _V11,
    "simnet.v11.redirect",
    "from bittensor.wallet import Wallet, pointed at simnet's wallets under simnet run",
    "owner",
    a_class,
    stack="v11",
)
HTTP_AUTH = Seam(
    "bittensor",
    "bittensor.http_auth",
    ("time", "_default_nonce_store"),
    _V11,
    "simnet.v11.clocks",
    "btauth/1's clock and default nonce store routed to the current miner's while a "
    "network is open",
    "owner",
    {
        "time": with_attributes("time_ns"),
        "_default_nonce_store": with_attributes("check_and_store", "retention"),
    },
    stack="v11",
)
TIMELOCK = Seam(
    "bittensor-core",
    "bittensor_core",
    ("get_encrypted_commit_v2", "encrypt_at_round", "get_encrypted_commitment"),
    "0.1",
    "simnet.v11.timelock",
    "wrapped to record what is encrypted (each still encrypts for real) so the chain "
    "double can reveal it",
    "process",
    a_callable,  # and the arguments read where simnet.v11.timelock reads them
    stack="v11",
)
HYPOTHESIS_DIGEST = Seam(
    "hypothesis",
    "hypothesis.internal.reflection",
    ("function_digest",),
    "6.168-6.170",
    "simnet.fuzz.reports",
    "_hypothesis_internal_add_digest set on a property's inner test, so failing examples "
    "are saved per target (the hook hypothesis' pytest plugin uses)",
    "instance",
    taking("function"),
)
LOOP_POLICY = Seam(
    "python",
    "asyncio.events:BaseDefaultEventLoopPolicy",
    ("_local",),
    "3.10-3.13",
    "simnet.neurons.redirect",
    "the main thread's current loop and whether one was set, read without making one and "
    "put back after a redirected neuron's (other policies, uvloop's, are left alone)",
    "instance",
    with_attributes("_loop", "_set_called"),
    stack="neuron",
)
HANDLE_RUN = Seam(
    "python",
    "asyncio:Handle",
    ("_run",),
    "3.10-3.13",
    "simnet.wire.blocking",
    "wrapped to record callbacks holding a loop while any loop is watched",
    "owner",
    taking("self", exactly=True),
)

SEAMS: tuple[Seam, ...] = (
    EXTERNAL_IP,
    REQUIRED_FIELDS,
    CONSTRUCTORS,
    AXON,
    DENDRITE,
    UVICORN_LOGGING,
    UVICORN_SERVER,
    UVICORN_PROTOCOL,
    UVICORN_CYCLE,
    FASTAPI_ANALYSIS,
    AIOHTTP_SERVER,
    AIOHTTP_REQUEST,
    AIOHTTP_WRITER,
    AIOHTTP_CONNECTOR,
    AIOHTTP_READER,
    AIOHTTP_SSL,
    HTTPX_POOL,
    HTTPX_TRANSPORT,
    RPC_SUBSTRATE,
    V11_WALLET,
    V11_WALLET_MODULE,
    HTTP_AUTH,
    TIMELOCK,
    HYPOTHESIS_DIGEST,
    LOOP_POLICY,
    HANDLE_RUN,
)
"""The inventory: every seam, in one place."""


def for_stack(stack: str) -> Iterable[Seam]:
    """The seams used with ``stack`` (``"neuron"``, ``"v11"``), shared ones included."""
    return [seam for seam in SEAMS if seam.stack in ("any", stack)]
