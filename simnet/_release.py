"""Which bittensor is installed, and which of simnet's two stacks it can run.

simnet has two stacks: the neuron stack (``Axon``, ``Dendrite``, ``Synapse``) for
bittensor 9.x and 10.x, whose release differences live in ``simnet._compat``, and the
signed-HTTP stack for 11.x (``simnet.v11``, whose own ``sdk`` module holds every 11.x
name). ``bittensor`` is one distribution, so one environment holds one of them; asking
for the other gives :class:`WrongStack`, one line saying what is installed and what to
install.
"""

from __future__ import annotations

import importlib.metadata

try:
    BITTENSOR_VERSION: str = importlib.metadata.version("bittensor")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - depends on the env
    BITTENSOR_VERSION = "none"
MAJOR: int = int(BITTENSOR_VERSION.split(".")[0]) if BITTENSOR_VERSION[0].isdigit() else 0

NEURON_STACK = 9 <= MAJOR < 11
"""The installed bittensor ships ``Axon``, ``Dendrite`` and ``StreamingSynapse`` (9.x, 10.x)."""
SIGNED_HTTP_STACK = MAJOR == 11
"""The installed bittensor is the chain-only 11.x SDK with ``http_auth`` (btauth/1)."""

_INSTALL = {
    "neuron": "pip install 'bittensor>=10.3,<11' (or make test BITTENSOR='10.5.*')",
    "v11": "pip install 'bittensor>=11,<12' (or make test BITTENSOR='11.*')",
}


class WrongStack(ImportError):
    """The installed bittensor cannot run the simnet stack asked for."""


def require(stack: str) -> None:
    """Raise :class:`WrongStack` unless the installed bittensor runs ``stack``
    (``"neuron"``: Axon/Dendrite, 9.x-10.x; ``"v11"``: signed HTTP, 11.x)."""
    if stack not in _INSTALL:
        raise ValueError(f"unknown simnet stack {stack!r}; expected one of {sorted(_INSTALL)}")
    if NEURON_STACK if stack == "neuron" else SIGNED_HTTP_STACK:
        return
    if stack == "neuron":
        what = "simnet's Axon/Dendrite stack needs bittensor 9.x or 10.x"
        other = " (for 11.x use simnet.v11)" if SIGNED_HTTP_STACK else ""
    else:
        what = "simnet.v11 needs bittensor 11.x"
        other = " (for 9.x/10.x use simnet's Axon stack)" if NEURON_STACK else ""
    raise WrongStack(
        f"{what}; bittensor {BITTENSOR_VERSION} is installed{other}: {_INSTALL[stack]}"
    )
