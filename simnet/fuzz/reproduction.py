"""A Python snippet that replays a property's counterexample, printed with every failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _imports(target: str, name: str) -> str:
    where = target.rpartition(":")[0]
    if where.endswith(".py") or "/" in where:
        path = Path(where).resolve()
        return (
            f"import sys\nsys.path.insert(0, {str(path.parent)!r})\nfrom {path.stem} import {name}"
        )
    return f"from {where} import {name}"


def reader_reproduction(target: str, reader: Any, example: Any) -> str:
    """A Python snippet that replays ``example`` against the streaming ``reader``."""
    name = target.rpartition(":")[2].split(".")[0]
    call = target.rpartition(":")[2]
    return (
        "import asyncio\n"
        "from simnet.readers import run_reader\n"
        f"{_imports(target, name)}\n\n"
        f"outcome = asyncio.run(run_reader({call}, {example.chunks!r}, "
        f"client={example.client!r}, status={example.status}))\n"
        "print(outcome)"
    )


def reproduction(target: str, cls: type, example: Any) -> str:
    """A Python snippet that replays ``example`` against ``cls``."""
    from simnet.fuzz.runs import user_fields
    from simnet.fuzz.variations import header_literal

    imports = _imports(target, cls.__name__)
    fields = _literal_fields(cls, user_fields(example.synapse)) if example.synapse else {}
    headers = header_literal(example.headers.raw) if example.headers is not None else "[]"
    return (
        "import asyncio\n"
        "from simnet.properties import run_protocol\n"
        f"{imports}\n\n"
        f"synapse = {cls.__name__}.model_validate({fields!r})\n"
        f"headers = {headers}\n"
        f"outcome = asyncio.run(run_protocol(synapse, {example.chunks!r}, "
        f"raw_headers=headers, status={example.status}))\n"
        "print(outcome)"
    )


def _literal_fields(cls: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` as literals Python can read back (an enum as its value, a nested model as
    a dict), when the class validates them back to the same synapse; else as they are."""
    try:
        plain = cls.model_validate(fields).model_dump(mode="json", include=set(fields))
        if cls.model_validate(plain) == cls.model_validate(fields):
            return dict(plain)
    except Exception:  # a value JSON cannot carry (bytes that are not UTF-8): keep Python's
        pass
    return fields
