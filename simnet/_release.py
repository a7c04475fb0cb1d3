"""Which bittensor is installed, which of simnet's two stacks it runs, and which
releases simnet checks.

simnet has two stacks: the neuron stack (``Axon``, ``Dendrite``, ``Synapse``) for
bittensor 9.x and 10.x, whose release differences live in ``simnet._compat``, and the
signed-HTTP stack for 11.x (``simnet.v11``, whose own ``sdk`` module holds every 11.x
name). ``bittensor`` is one distribution, so one environment holds one of them; asking
for the other gives :class:`WrongStack`, one line saying what is installed and what to
install. The major version picks the stack and nothing else: everything else simnet
adapts to is detected in the installed release (``simnet._compat``).

:data:`RELEASES` is the one list of the releases simnet checks: CI smoke-tests each of
them (``tools/releases.py`` hands it to ``.ci/run``), the release table
(``docs/bittensor-releases.md``) is checked against it, and the messages below quote the
ranges it gives.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from dataclasses import dataclass

try:
    BITTENSOR_VERSION: str = importlib.metadata.version("bittensor")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - depends on the env
    BITTENSOR_VERSION = "none"


def _numbers(version: str) -> tuple[int, ...]:
    """``(10, 2)`` from ``"10.2.0rc1"``; ``()`` when the version does not start with numbers."""
    match = re.match(r"(\d+)(?:\.(\d+))?", version)
    return tuple(int(n) for n in match.groups() if n is not None) if match else ()


MAJOR: int = (_numbers(BITTENSOR_VERSION) or (0,))[0]
"""The installed major version: it picks the stack, and nothing else reads it."""

NEURON_STACK = MAJOR in (9, 10)
"""The installed bittensor ships ``Axon``, ``Dendrite`` and ``StreamingSynapse`` (9.x, 10.x)."""
SIGNED_HTTP_STACK = MAJOR == 11
"""The installed bittensor is the chain-only 11.x SDK with ``http_auth`` (btauth/1)."""


@dataclass(frozen=True)
class Release:
    """One bittensor release simnet checks: CI installs it in a fresh environment from
    simnet's wheel with ``needs`` beside it, and runs the smoke steps on ``python``."""

    version: str
    needs: tuple[str, ...] = ()
    """What pip must also be told for ``import bittensor`` (and simnet) to work."""
    python: str = "3.11"
    suite: bool = False
    """CI also runs the whole suite on this release (an anchor)."""

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])

    @property
    def stack(self) -> str:
        return "v11" if self.version.startswith("11.") else "neuron"


_ASI_9 = "async-substrate-interface<1.6"  # 9.x pins scalecodec; newer ones bring cyscale
_ASI_10 = "async-substrate-interface<2"  # 10.0-10.2.0 do not cap it; 2.x brings cyscale
_DRAND_9 = "bittensor-drand<2"  # 9.5-9.8 import get_encrypted_commit, gone from drand 2
_FASTAPI = "fastapi"  # 11.x subnets serve FastAPI miners; neither 11.x nor simnet has it

RELEASES: tuple[Release, ...] = (
    Release("9.0.4", (_ASI_9,), python="3.10", suite=True),
    Release("9.1.0", (_ASI_9,), python="3.10"),
    Release("9.2.0", (_ASI_9,), python="3.10"),
    Release("9.3.0", (_ASI_9,), python="3.10"),
    Release("9.4.0", (_ASI_9,)),
    Release("9.5.0", (_ASI_9, _DRAND_9)),
    Release("9.6.1", (_ASI_9, _DRAND_9)),
    Release("9.7.0", (_ASI_9, _DRAND_9)),
    Release("9.8.3", (_ASI_9, _DRAND_9)),
    Release("9.9.0", (_ASI_9,)),
    Release("9.10.1", (_ASI_9,), python="3.12"),
    Release("9.11.1", (_ASI_9,), python="3.12"),
    Release("9.12.2", (_ASI_9,), python="3.12", suite=True),
    Release("10.0.1", (_ASI_10,)),
    Release("10.1.0", (_ASI_10,)),
    Release("10.2.0", (_ASI_10,), suite=True),
    Release("10.2.1"),
    Release("10.3.2", suite=True),
    Release("10.4.1", python="3.12"),
    Release("10.5.0", python="3.13", suite=True),
    Release("11.0.2", (_FASTAPI,), python="3.12"),
    Release("11.1.0", (_FASTAPI,)),
    Release("11.3.0", (_FASTAPI,), python="3.13", suite=True),
)
"""Every release CI checks, oldest first: the newest patch of each minor, and 10.2.0
(the last release that decodes raw account ids before 10.2.1 caps its dependencies)."""


def checked(stack: str) -> tuple[str, str]:
    """The oldest and newest minor simnet checks on ``stack`` (``"neuron"``, ``"v11"``)."""
    minors = [r.minor for r in RELEASES if r.stack == stack]
    return minors[0], minors[-1]


def _range(stack: str) -> str:
    oldest, newest = checked(stack)
    return f"{oldest}-{newest}"


def _pip_range(stack: str) -> str:
    oldest, newest = checked(stack)
    return f"bittensor>={oldest},<{int(newest.split('.')[0]) + 1}"


_INSTALL = {
    "neuron": f"pip install '{_pip_range('neuron')}' (or make test BITTENSOR='10.5.*')",
    "v11": f"pip install '{_pip_range('v11')}' (or make test BITTENSOR='11.*')",
}


class WrongStack(ImportError):
    """The installed bittensor cannot run the simnet stack asked for."""


# Names a script of one stack takes from ``bittensor`` that the other stack's releases
# lack (each checked on 9.12, 10.5 and 11.3): a script stopped by one of them was written
# for the other stack, which ``simnet run`` says in one line instead of a traceback.
STACK_NAMES = {
    "neuron": frozenset(
        {"Axon", "Dendrite", "Synapse", "StreamingSynapse", "AsyncSubtensor", "MockSubtensor"}
        | {"axon", "dendrite", "logging", "Config"}
    ),
    "v11": frozenset(
        {"Client", "SyncClient", "ServeAxon", "SetWeights", "BurnedRegister", "http_auth"}
        | {"MetagraphNeuron", "ExtrinsicResult"}
    ),
}


def wrong_stack_line(name: str, script: str) -> str | None:
    """One line when ``script`` stopped on ``bittensor.<name>``, a name only the other
    stack's releases have: what it needs and what to install; else ``None``."""
    installed = "v11" if SIGNED_HTTP_STACK else "neuron"
    other = "neuron" if installed == "v11" else "v11"
    if name not in STACK_NAMES[other]:
        return None
    needs = "9.x or 10.x" if other == "neuron" else "11.x"
    return (
        f"{script} uses bittensor.{name}, which bittensor {BITTENSOR_VERSION} does not have: "
        f"it is written for bittensor {needs} ({_range(other)}): {_INSTALL[other]}"
    )


class SeamChanged(WrongStack):
    """A seam simnet relies on has changed in the installed release: a data shape simnet
    builds for bittensor (``SubnetState``, ``NeuronInfo``, the metagraph arguments), or a
    patch of another library listed in ``simnet._patches``. One line naming the library,
    its installed release and the seam."""

    def __init__(
        self, seam: str, detail: str, *, library: str = "bittensor", checked: str | None = None
    ) -> None:
        if library == "bittensor" and checked is None:
            release = BITTENSOR_VERSION
            checks = f"{_range('neuron')} and {_range('v11')} (docs/bittensor-releases.md)"
        else:
            release = _installed(library)
            checks = f"{library} {checked}" if checked else library
        super().__init__(f"{library} {release} changed {seam}: {detail}; simnet checks {checks}")


def _installed(library: str) -> str:
    if library == "python":
        return ".".join(map(str, sys.version_info[:3]))
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def unchecked_notice(version: str = BITTENSOR_VERSION) -> str | None:
    """One line when ``version`` (9.x-11.x) is newer than the newest minor simnet checks
    on its stack (the run goes on), else ``None``."""
    numbers = _numbers(version)
    if len(numbers) < 2 or numbers[0] not in (9, 10, 11):
        return None
    stack = "v11" if numbers[0] == 11 else "neuron"
    if numbers <= _numbers(checked(stack)[1]):
        return None
    return (
        f"simnet: bittensor {version} is newer than the releases simnet checks on its "
        f"stack ({_range(stack)}); going on"
    )


_noticed = False


def _notice_once() -> None:
    global _noticed
    notice = None if _noticed else unchecked_notice()
    _noticed = True
    if notice:
        print(notice, file=sys.stderr)


def require(stack: str) -> None:
    """Raise :class:`WrongStack` unless the installed bittensor runs ``stack``
    (``"neuron"``: Axon/Dendrite, 9.x-10.x; ``"v11"``: signed HTTP, 11.x). A release
    newer than the newest checked minor gets one line on stderr, once."""
    if stack not in _INSTALL:
        raise ValueError(f"unknown simnet stack {stack!r}; expected one of {sorted(_INSTALL)}")
    if NEURON_STACK if stack == "neuron" else SIGNED_HTTP_STACK:
        _notice_once()
        return
    if stack == "neuron":
        what = f"simnet's Axon/Dendrite stack needs bittensor 9.x or 10.x ({_range('neuron')})"
        other = " (for 11.x use simnet.v11)" if SIGNED_HTTP_STACK else ""
    else:
        what = f"simnet.v11 needs bittensor 11.x ({_range('v11')})"
        other = " (for 9.x/10.x use simnet's Axon stack)" if NEURON_STACK else ""
    raise WrongStack(
        f"{what}; bittensor {BITTENSOR_VERSION} is installed{other}: {_INSTALL[stack]}"
    )
