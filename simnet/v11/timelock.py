"""What the SDK timelock-encrypts inside this process, kept so simnet's chain can reveal it.

The chain decrypts a timelocked weight commit or commitment field with drand's
signature of its reveal round; offline there is none. bittensor 11 encrypts through
``bittensor_core`` (``get_encrypted_commit_v2`` for weights, ``encrypt_at_round`` behind
``bittensor.timelock.encrypt`` for commitments, ``get_encrypted_commitment``), reading
the functions off the module at each call. :func:`install` wraps them: each still
encrypts for real, and the ciphertext it returns is recorded with its plaintext. The
chain double looks a submitted ciphertext up here (:func:`lookup`); one it does not
find (encrypted in another process, or by other code) is kept and never revealed. The
wrappers stay for the process (the seam ``simnet._patches.TIMELOCK``); a release whose
functions are gone or take their arguments elsewhere stops with one line.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simnet._patches import TIMELOCK, found, swap
from simnet.chain.commitments import scale_bytes
from simnet.v11.sdk import bittensor_core

_KEEP = 4096


@dataclass(frozen=True)
class Sealed:
    """A ciphertext the SDK made here: what it encrypted and for which drand round."""

    reveal_round: int
    plaintext: bytes = b""
    """The bytes encrypted (a commitment's payload)."""
    weights: tuple[list[int], list[int], int] | None = None
    """``(uids, u16 weights, version_key)`` of a timelocked weight commit."""
    hotkey: bytes | None = None
    """The committer's public key the weights payload names."""


_seen: OrderedDict[bytes, Sealed] = OrderedDict()
_lock = threading.Lock()
_installed = False


def lookup(ciphertext: bytes) -> Sealed | None:
    """What was encrypted into ``ciphertext`` in this process, if simnet saw it."""
    with _lock:
        return _seen.get(bytes(ciphertext))


def _record(ciphertext: bytes, sealed: Sealed) -> None:
    with _lock:
        _seen[bytes(ciphertext)] = sealed
        while len(_seen) > _KEEP:
            _seen.popitem(last=False)


_READS = {
    "get_encrypted_commit_v2": ("uids", "weights", "version_key", *(None,) * 8, "hotkey"),
    "encrypt_at_round": ("data",),
    "get_encrypted_commitment": ("data",),
}
"""The arguments :func:`_weights`, :func:`_at_round` and :func:`_commitment` read, by
position (``None``: not read)."""


def _checked(name: str) -> Any:
    """``bittensor_core.<name>``, whose parameters are where the recorders read them."""
    original = found(TIMELOCK, bittensor_core, name)
    try:
        names = list(inspect.signature(original).parameters)
    except (TypeError, ValueError):
        return original  # no signature to read: the recorders' fallbacks decide
    for index, wanted in enumerate(_READS[name]):
        if wanted is not None and (index >= len(names) or names[index] != wanted):
            raise TIMELOCK.changed(f"it takes ({', '.join(names)})", name)
    return original


def _wrap(name: str, record: Callable[[tuple[Any, ...], dict[str, Any], Any], None]) -> None:
    original = _checked(name)

    @functools.wraps(original)
    def recording(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        try:
            record(args, kwargs, result)
        except Exception as exc:  # recording never changes what the SDK gets
            _unrecorded(name, exc)
        return result

    swap(TIMELOCK, bittensor_core, {name: recording})


_SAID: set[str] = set()


def _unrecorded(name: str, exc: Exception) -> None:
    """Say once per function, on stderr, that simnet could not keep a commit's plaintext:
    the chain will never reveal it, which must not look like the validator's fault."""
    if name not in _SAID:
        _SAID.add(name)
        print(
            f"simnet: could not record what bittensor_core.{name} encrypted "
            f"({type(exc).__name__}: {exc}); simnet's chain will not reveal it",
            file=sys.stderr,
        )


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    return kwargs[name] if name in kwargs else args[index]


def _weights(args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    commit, reveal_round = result
    uids = [int(u) for u in _arg(args, kwargs, 0, "uids")]
    values = [int(w) for w in _arg(args, kwargs, 1, "weights")]
    version_key = int(_arg(args, kwargs, 2, "version_key"))
    hotkey = bytes(_arg(args, kwargs, 11, "hotkey"))
    _record(bytes(commit), Sealed(int(reveal_round), b"", (uids, values, version_key), hotkey))


def _at_round(args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    envelope, reveal_round = result
    sealed = Sealed(int(reveal_round), bytes(_arg(args, kwargs, 0, "data")))
    _record(bytes(envelope), sealed)
    _record(bytes(bittensor_core.inner_ciphertext(bytes(envelope))), sealed)


def _commitment(args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    # The string is encrypted SCALE-encoded (both SDKs strip a compact length prefix
    # from what the chain reveals).
    encrypted, reveal_round = result
    data = str(_arg(args, kwargs, 0, "data")).encode()
    _record(bytes(encrypted), Sealed(int(reveal_round), scale_bytes(data)))


def install() -> None:
    """Record every timelock encryption the SDK makes in this process from now on."""
    global _installed
    with _lock:
        if _installed:
            return
        for name in _READS:  # all of them checked before any is wrapped
            _checked(name)
        _installed = True
    _wrap("get_encrypted_commit_v2", _weights)
    _wrap("encrypt_at_round", _at_round)
    _wrap("get_encrypted_commitment", _commitment)
