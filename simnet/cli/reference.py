"""Find and import the reference subnet (``protocol.py``, ``miner.py``, ``client.py``).

An installed simnet carries it inside the package, in ``simnet/_reference_subnet/``;
a source checkout has it at the repository's top level. It is never installed as
top-level modules, where ``protocol``/``miner``/``client`` would shadow a subnet's own.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

_FILES = ("protocol.py", "miner.py", "client.py")
_PACKAGED = Path(__file__).parents[1] / "_reference_subnet"
_CHECKOUT = Path(__file__).parents[2]


@dataclass(frozen=True)
class ReferenceSubnet:
    """The imported reference modules."""

    directory: Path
    protocol: ModuleType
    miner: ModuleType
    client: ModuleType


def reference_dir() -> Path:
    """Where the reference subnet lives: the packaged copy, else the source checkout."""
    for candidate in (_PACKAGED, _CHECKOUT):
        if all((candidate / name).is_file() for name in _FILES):
            return candidate
    raise FileNotFoundError(
        f"the reference subnet ({', '.join(_FILES)}) is neither in {_PACKAGED} nor in "
        f"{_CHECKOUT}; reinstall simnet or pass --subnet DIR"
    )


def load_reference(directory: Path | None = None) -> ReferenceSubnet:
    """Import the reference subnet from ``directory`` (default: :func:`reference_dir`).

    Its modules import each other as top-level ``protocol``, so ``directory`` goes to the
    front of ``sys.path``: meant for simnet's own processes (the demo), not for a
    process that has modules of those names already.
    """
    directory = (directory or reference_dir()).resolve()
    missing = [name for name in _FILES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{directory} has no {', '.join(missing)}")
    for name in ("protocol", "miner", "client"):
        loaded = sys.modules.get(name)
        origin = getattr(loaded, "__file__", None)
        if loaded is not None and Path(str(origin)).resolve().parent != directory:
            raise ImportError(f"a different module named {name!r} is already imported ({origin})")
    sys.path.insert(0, str(directory))
    modules = {name: importlib.import_module(name) for name in ("protocol", "miner", "client")}
    return ReferenceSubnet(directory=directory, **modules)
