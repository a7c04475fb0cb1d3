"""simnet's hypothesis settings profiles: a fast one for local runs, a thorough one for CI."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings

DEV = "simnet-dev"
CI = "simnet-ci"

_COMMON: dict[str, Any] = {
    "deadline": None,  # a protocol's first example pays for imports and schema building
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    # The explain phase re-runs a failure many times to annotate it; the counterexample
    # and simnet's own message already say what failed.
    "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
}
settings.register_profile(DEV, max_examples=100, **_COMMON)
settings.register_profile(CI, max_examples=1000, derandomize=True, print_blob=True, **_COMMON)


PROFILE_ENV = "SIMNET_HYPOTHESIS_PROFILE"
_chosen: str | None = None


def choose_profile(name: str | None) -> None:
    """Use profile ``name`` from now on (``None``: back to the default rule)."""
    global _chosen
    if name not in (None, DEV, CI):
        raise ValueError(f"hypothesis profile {name!r} must be {DEV!r} or {CI!r}")
    _chosen = name


def active_profile() -> str:
    """The chosen profile, else ``$SIMNET_HYPOTHESIS_PROFILE``, else ``simnet-ci`` under CI,
    else ``simnet-dev``."""
    chosen = _chosen or os.environ.get(PROFILE_ENV)
    if chosen:
        if chosen not in (DEV, CI):
            raise ValueError(f"{PROFILE_ENV}={chosen!r} must be {DEV!r} or {CI!r}")
        return chosen
    return CI if os.environ.get("CI", "").lower() not in ("", "0", "false") else DEV


def profile_settings(max_examples: int | None = None) -> settings:
    """The active profile, with ``max_examples`` overridden when given."""
    base = settings.get_profile(active_profile())
    return base if max_examples is None else settings(base, max_examples=max_examples)
