"""The inventory of third-party patches (``simnet._patches``): every seam simnet swaps is
put back when its owner closes, and a changed shape stops the owner with one line naming
the library, its installed release and the seam, leaving nothing patched."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from simnet._patches import CONSTRUCTORS, SEAMS, Seam, for_stack, found, swap, taking
from simnet._release import NEURON_STACK, SeamChanged

STACK = "neuron" if NEURON_STACK else "v11"
OWNED = [seam for seam in for_stack(STACK) if seam.lifetime == "owner"]
_MISSING = object()


def holder_of(seam: Seam) -> Any:
    module, _, cls = seam.holder.partition(":")
    found_module = importlib.import_module(module)
    return getattr(found_module, cls) if cls else found_module


def attributes(seam: Seam) -> dict[str, Any]:
    holder = holder_of(seam)
    return {name: inspect.getattr_static(holder, name, _MISSING) for name in seam.attributes}


def everything_owned() -> dict[str, dict[str, Any]]:
    return {seam.name: attributes(seam) for seam in OWNED}


@contextlib.contextmanager
def simnet_open() -> Iterator[None]:
    from simnet import Simnet

    with Simnet(redirect=True, blocking_threshold=None):
        yield


@contextlib.contextmanager
def offline() -> Iterator[None]:
    import simnet

    with simnet.offline():
        yield


@contextlib.contextmanager
def axon_being_built() -> Iterator[None]:
    from simnet.wire import speedups

    with speedups.unused_server_config(), speedups.route_analysis_once():
        yield


@contextlib.contextmanager
def loop_watched() -> Iterator[None]:
    from simnet.network.host import AxonHost

    host = AxonHost()
    try:
        unwatch = host.watch_blocking(1.0, lambda blocked: None)
        try:
            yield
        finally:
            unwatch()
    finally:
        host.close()


@contextlib.contextmanager
def network_open() -> Iterator[None]:
    from simnet.v11 import Network

    with Network(transport="memory", blocking_threshold=None):
        yield


@contextlib.contextmanager
def wallets_redirected() -> Iterator[None]:
    from simnet.v11.redirect import WalletRedirect
    from simnet.v11.wallets import Wallets

    wallets = Wallets()
    try:
        with WalletRedirect(wallets):
            yield
    finally:
        wallets.close()


OWNERS: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
    "bittensor.utils.networking.get_external_ip": offline,
    "bittensor.core.synapse.Synapse.get_required_fields": simnet_open,
    "uvicorn.Config.configure_logging": axon_being_built,
    "fastapi.dependencies.utils.analyze_param": axon_being_built,
    "asyncio.Handle._run": loop_watched,
    "httpx._client.AsyncHTTPTransport": network_open,
    "bittensor.client.RpcSubstrate": network_open,
    "bittensor.http_auth.time/_default_nonce_store": network_open,
    "bittensor.Wallet/wallet": wallets_redirected,
    "bittensor.wallet.Wallet": wallets_redirected,
}
"""How to open each owner of a seam put back when it closes."""


def opener(seam: Seam) -> Callable[[], contextlib.AbstractContextManager[None]]:
    if seam is CONSTRUCTORS:
        return simnet_open
    assert seam.name in OWNERS, f"add how to open the owner of {seam.name} ({seam.owner})"
    return OWNERS[seam.name]


@pytest.mark.parametrize("seam", OWNED, ids=lambda seam: seam.name)
def test_a_seam_is_swapped_while_its_owner_is_open_and_put_back_when_it_closes(
    seam: Seam,
) -> None:
    before = everything_owned()

    with opener(seam)():
        during = attributes(seam)

    assert during != before[seam.name], f"opening {seam.owner} did not patch {seam.name}"
    assert everything_owned() == before


def _forwarding(original: Any) -> Any:
    """``original`` behind another signature: still working, no longer the shape."""

    def changed(*args: Any) -> Any:
        return original(*args)

    return changed


STILL_WORKING = {"asyncio.Handle._run"}
"""Seams whose loss would stop the test itself (every event loop runs handles): changed
to a forwarding function of another signature instead of removed."""


@pytest.mark.parametrize("seam", OWNED, ids=lambda seam: seam.name)
def test_a_changed_seam_stops_its_owner_with_one_line_and_leaves_nothing_patched(
    seam: Seam, monkeypatch: pytest.MonkeyPatch
) -> None:
    attribute = next(name for name in seam.attributes if attributes(seam)[name] is not _MISSING)
    holder = holder_of(seam)
    if seam.name in STILL_WORKING:
        monkeypatch.setattr(holder, attribute, _forwarding(getattr(holder, attribute)))
        detail = r"it takes \(args\), simnet expects \(self\)"
    else:
        monkeypatch.delattr(holder, attribute)
        detail = "it is gone"
    before = everything_owned()

    with pytest.raises(SeamChanged) as caught, opener(seam)():
        pass

    message = str(caught.value)
    where = f"{seam.holder.replace(':', '.')}.{attribute}"
    assert re.fullmatch(
        rf"{re.escape(seam.library)} \S+ changed {re.escape(where)}: {detail}; "
        rf"simnet checks {re.escape(seam.library)} {re.escape(seam.checked)}",
        message,
    ), message
    assert everything_owned() == before


def test_every_seam_names_its_library_releases_and_owner() -> None:
    assert len({seam.name for seam in SEAMS}) == len(SEAMS)
    for seam in SEAMS:
        assert seam.library, seam
        assert seam.checked, seam
        assert all(owner.strip() in _modules() for owner in _owners(seam)), seam.owner


def _owners(seam: Seam) -> list[str]:
    return [part.strip().split(" ")[0] for part in seam.owner.split(",")]


def _modules() -> set[str]:
    import simnet

    root = Path(simnet.__file__).parent
    return {
        "simnet." + ".".join(path.relative_to(root).with_suffix("").parts)
        for path in root.rglob("*.py")
    }


def test_the_seams_of_this_stack_have_the_shape_simnet_expects_in_the_installed_releases() -> None:
    for seam in for_stack(STACK):
        if seam.lifetime == "instance" and seam.holder.endswith(("BaseRequest", "Server")):
            continue  # attributes of an instance, checked on it when simnet serves
        holder = holder_of(seam)
        for name in seam.attributes:
            if inspect.getattr_static(holder, name, _MISSING) is _MISSING:
                continue  # an instance attribute, or an alias this release lacks
            found(seam, holder, name)


def test_a_changed_signature_is_named_with_what_simnet_expects() -> None:
    def analyze_param(*, param_name: str, annotation: Any) -> None: ...

    class Holder:
        pass

    Holder.analyze_param = staticmethod(analyze_param)  # type: ignore[attr-defined]
    seam = Seam(
        "fastapi",
        "x:Holder",
        ("analyze_param",),
        "0.1",
        "simnet.x",
        "",
        "owner",
        taking("annotation", "value"),
    )

    with pytest.raises(
        SeamChanged,
        match=r"it takes \(param_name, annotation\), simnet expects \(annotation, value\)",
    ):
        swap(seam, Holder, {"analyze_param": None})
    assert Holder.analyze_param is analyze_param  # type: ignore[attr-defined]
