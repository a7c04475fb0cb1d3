"""Generated pytest items: every ready-made property for each protocol class named in the
``--simnet-fuzz`` option or the ``simnet_fuzz`` ini setting."""

from __future__ import annotations

from typing import Any

import pytest


class PropertyItem(pytest.Item):
    """One property checked against one protocol class."""

    def __init__(self, *, target: str, prop: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target
        self.prop = prop

    def runtest(self) -> None:
        from simnet.fuzz.properties import PROPERTIES
        from simnet.fuzz.targets import load_protocol

        PROPERTIES[self.prop](load_protocol(self.target))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from simnet.fuzz.properties import PropertyFailed
        from simnet.fuzz.reproduction import reproduction
        from simnet.fuzz.targets import TargetError, load_protocol

        if isinstance(excinfo.value, TargetError):
            return str(excinfo.value)
        if isinstance(excinfo.value, PropertyFailed):
            snippet = reproduction(
                self.target, load_protocol(self.target), excinfo.value.counterexample
            )
            return f"{excinfo.value}\n\nreproduce with:\n{snippet}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return self.target, None, f"simnet property {self.prop} of {self.target}"


def fuzz_items(session: pytest.Session, targets: list[str]) -> list[PropertyItem]:
    """One item per (target, property)."""
    from simnet.fuzz.properties import PROPERTIES

    return [
        PropertyItem.from_parent(
            session, name=f"simnet-fuzz[{target}::{prop}]", target=target, prop=prop
        )
        for target in targets
        for prop in PROPERTIES
    ]
