"""A Python snippet that replays a property's counterexample, printed with every failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def reproduction(target: str, cls: type, example: Any) -> str:
    """A Python snippet that replays ``example`` against ``cls``."""
    from simnet.fuzz.runs import user_fields
    from simnet.wire.headers import header_literal

    where = target.rpartition(":")[0]
    if where.endswith(".py") or "/" in where:
        path = Path(where).resolve()
        imports = (
            f"import sys\nsys.path.insert(0, {str(path.parent)!r})\n"
            f"from {path.stem} import {cls.__name__}"
        )
    else:
        imports = f"from {where} import {cls.__name__}"
    fields = user_fields(example.synapse) if example.synapse is not None else {}
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
