"""Generated pytest items: every ready-made property for each protocol class named in the
``--simnet-fuzz`` option or the ``simnet_fuzz`` ini setting."""

from __future__ import annotations

from typing import Any

import pytest

NOTE = "simnet_note"
"""The ``user_properties`` name of what a property noted (reports carry them across xdist)."""


class PropertyItem(pytest.Item):
    """One property checked against one protocol class."""

    def __init__(self, *, target: str, prop: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target
        self.prop = prop

    def runtest(self) -> None:
        from simnet.fuzz.properties import OPTIONAL_PROPERTIES, PROPERTIES
        from simnet.fuzz.runs import PropertyFailed
        from simnet.fuzz.targets import load_protocol

        check = {**PROPERTIES, **OPTIONAL_PROPERTIES}[self.prop]
        try:
            report = check(load_protocol(self.target))
        except PropertyFailed as exc:
            self._keep_notes(exc.notes)
            raise
        self._keep_notes(report.notes)

    def _keep_notes(self, notes: list[str]) -> None:
        self.user_properties.extend((NOTE, f"{self.target} {self.prop}: {n}") for n in notes)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from simnet.fuzz.reproduction import reproduction
        from simnet.fuzz.runs import PropertyFailed
        from simnet.fuzz.targets import TargetError, load_protocol

        if isinstance(excinfo.value, TargetError):
            return str(excinfo.value)
        if isinstance(excinfo.value, PropertyFailed):
            cls = load_protocol(self.target)
            blocks = [
                f"{finding.message}\n\nreproduce with:\n"
                f"{reproduction(self.target, cls, finding.counterexample)}"
                for finding in excinfo.value.findings
            ]
            return "\n\n".join(blocks)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return self.target, None, f"simnet property {self.prop} of {self.target}"


def fuzz_items(
    session: pytest.Session, targets: list[str], *, yields: bool = False
) -> list[PropertyItem]:
    """One item per (target, property)."""
    from simnet.fuzz.properties import OPTIONAL_PROPERTIES, PROPERTIES

    names = [*PROPERTIES, *(OPTIONAL_PROPERTIES if yields else ())]
    return [
        PropertyItem.from_parent(
            session, name=f"simnet-fuzz[{target}::{prop}]", target=target, prop=prop
        )
        for target in targets
        for prop in names
    ]


def summarize(terminal: Any) -> None:
    """List what the properties noted, one line each."""
    notes = [
        value
        for reports in terminal.stats.values()
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == NOTE and getattr(report, "when", "call") == "call"
    ]
    if notes:
        terminal.section("simnet fuzz notes (not failures)")
        for note in notes:
            terminal.line(note)
