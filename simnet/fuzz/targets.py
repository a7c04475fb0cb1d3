"""Load ``package.module:Name`` or ``path/to/file.py:Name`` targets named on a command line."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any


class TargetError(Exception):
    """A target could not be loaded; the message says which and why."""


def load_object(spec: str, *, what: str = "target") -> Any:
    """The object named by ``spec`` (``module:attr`` or ``file.py:attr``)."""
    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name:
        raise TargetError(f"{what} {spec!r} must be package.module:Name or path/to/file.py:Name")
    module = _load_module(where, what)
    value: Any = module
    for part in name.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise TargetError(f"{what} {spec!r}: {where} has no attribute {name!r}") from None
    return value


def _load_module(where: str, what: str) -> ModuleType:
    if where.endswith(".py") or "/" in where or "\\" in where:
        return _load_file(Path(where), what)
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        return importlib.import_module(where)
    except Exception as exc:
        raise TargetError(
            f"{what} module {where!r} cannot be imported: {exc!r}{_stack_hint(exc)}"
        ) from exc


def _load_file(path: Path, what: str) -> ModuleType:
    if not path.is_file():
        raise TargetError(f"{what} file {str(path)!r} does not exist")
    loaded = _loaded_from(path)
    if loaded is not None:  # the target's file again (a synapse factory beside the class)
        return loaded
    directory = str(path.resolve().parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)  # so the file can import its neighbours
    name = path.stem if path.stem not in sys.modules else f"_simnet_target_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TargetError(f"{what} file {str(path)!r} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise TargetError(
            f"{what} file {str(path)!r} failed to import: {exc!r}{_stack_hint(exc)}"
        ) from exc
    return module


def _loaded_from(path: Path) -> ModuleType | None:
    resolved = path.resolve()
    for module in list(sys.modules.values()):
        where = getattr(module, "__file__", None)
        if where and Path(where).resolve() == resolved:
            return module
    return None


def _stack_hint(exc: Exception) -> str:
    """What to install, when a target fails on a name bittensor 11.x removed."""
    from simnet._release import NEURON_STACK, WrongStack, require

    if NEURON_STACK or not isinstance(exc, AttributeError) or "bittensor" not in str(exc):
        return ""
    try:
        require("neuron")
    except WrongStack as wrong:
        return f" ({wrong})"
    return ""  # pragma: no cover - the neuron stack is installed after all


def load_function(spec: str, what: str) -> Any:
    """The function ``spec`` names (a synapse factory, a consumer, a round trip's
    expectation); ``what`` names its role in the message if it is not one."""
    function = load_object(spec, what=what)
    if not callable(function):
        raise TargetError(f"{what} {spec!r} is {function!r}, not a function")
    return function


def load_protocol(spec: str) -> type:
    """The ``StreamingSynapse`` subclass named by ``spec``."""
    from simnet._compat import StreamingSynapse

    cls = load_object(spec, what="target")
    if not (isinstance(cls, type) and issubclass(cls, StreamingSynapse)):
        raise TargetError(f"target {spec!r} is {cls!r}, not a StreamingSynapse subclass")
    return cls


def accepted(check: Callable[..., Any], **options: Any) -> dict[str, Any]:
    """The ``options`` property ``check`` takes: the CLI and the plugin give each property
    what applies to it (a consumer means nothing to the header contract). Imports no
    stack: reader items use it on any bittensor."""
    taken = inspect.signature(check).parameters
    return {name: value for name, value in options.items() if name in taken}
