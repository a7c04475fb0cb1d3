"""Stand-ins for a library's classes: calling one builds simnet's object, every other use
(classmethods, attributes, ``isinstance``, ``issubclass``) is the real class's. Both
stacks' constructor redirects (``bt.Axon``, ``bt.Wallet``, ...) are made of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class StandIn(type):
    """Calling the class builds simnet's object; every other use is the real class's."""

    _real: type
    _build: Callable[..., Any]

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._build(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls._real, name)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls._real)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls._real)

    def __repr__(cls) -> str:
        return f"<simnet stand-in for {cls._real.__module__}.{cls._real.__qualname__}>"


def stand_in(real: type, build: Callable[..., Any]) -> type:
    """A stand-in for ``real`` whose calls are ``build(...)``."""
    namespace = {"_real": real, "_build": staticmethod(build), "__doc__": real.__doc__}
    namespace["__module__"] = real.__module__
    return StandIn(real.__name__, (), namespace)
