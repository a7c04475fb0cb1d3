"""Generated pytest items: every ready-made property for each protocol class or streaming
reader named in the ``--simnet-fuzz`` option or the ``simnet_fuzz`` ini setting."""

from __future__ import annotations

from typing import Any

import pytest

NOTE = "simnet_note"
"""The ``user_properties`` name of what a property noted (reports carry them across xdist)."""


class PropertyItem(pytest.Item):
    """One property checked against one protocol class or streaming reader."""

    def __init__(
        self,
        *,
        target: str,
        prop: str,
        reader: bool = False,
        factory: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.target = target
        self.prop = prop
        self.reader = reader
        self.factory = factory  # the validator's synapse builder, MODULE:FUNC
        self._subject: Any = None  # the loaded target, kept for the failure's replay snippet

    def _checked(self) -> tuple[Any, Any]:
        """The property to run and what it runs on."""
        from simnet.fuzz.targets import load_object, load_protocol

        if self.reader:
            from simnet.fuzz.readers import READER_PROPERTIES

            return READER_PROPERTIES[self.prop], load_object(self.target)
        from simnet.fuzz.properties import OPTIONAL_PROPERTIES, PROPERTIES

        return {**PROPERTIES, **OPTIONAL_PROPERTIES}[self.prop], load_protocol(self.target)

    def runtest(self) -> None:
        from simnet.fuzz.reports import PropertyFailed

        check, subject = self._checked()
        self._subject = subject
        kwargs: dict[str, Any] = {}
        if self.factory is not None:
            from simnet.fuzz.targets import TargetError, load_object

            kwargs["synapse_factory"] = load_object(self.factory, what="synapse factory")
            if self.reader or not callable(kwargs["synapse_factory"]):
                raise TargetError(f"synapse factory {self.factory!r} needs a class and a function")
        try:
            report = check(subject, **kwargs)
        except PropertyFailed as exc:
            self._keep_notes(exc.notes)
            raise
        self._keep_notes(report.notes)

    def _keep_notes(self, notes: list[str]) -> None:
        self.user_properties.extend((NOTE, f"{self.target} {self.prop}: {n}") for n in notes)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from simnet._release import WrongStack
        from simnet.fuzz.reports import PropertyFailed
        from simnet.fuzz.reproduction import reader_reproduction, reproduction
        from simnet.fuzz.targets import TargetError

        if isinstance(excinfo.value, TargetError | WrongStack):
            return str(excinfo.value)
        if isinstance(excinfo.value, PropertyFailed):
            replay = reader_reproduction if self.reader else reproduction
            blocks = [
                f"{finding.message}\n\nreproduce with:\n"
                f"{replay(self.target, self._subject, finding.counterexample)}"
                for finding in excinfo.value.findings
            ]
            return "\n\n".join(blocks)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return self.target, None, f"simnet property {self.prop} of {self.target}"


def fuzz_items(
    session: pytest.Session, targets: list[str], *, yields: bool = False
) -> list[PropertyItem]:
    """One item per (target, property): a class gets the protocol properties, a function
    (a streaming reader) the reader properties."""
    from simnet.fuzz.readers import READER_PROPERTIES

    items = []
    for line in targets:
        target, factory = _target_and_factory(line)
        reader = _is_reader(target)
        for prop in READER_PROPERTIES if reader else _protocol_properties(yields):
            items.append(
                PropertyItem.from_parent(
                    session,
                    name=f"simnet-fuzz[{target}::{prop}]",
                    target=target,
                    prop=prop,
                    reader=reader,
                    factory=factory,
                )
            )
    return items


def _target_and_factory(line: str) -> tuple[str, str | None]:
    """``TARGET`` or ``TARGET FACTORY``: a class may be followed by the validator's own
    synapse builder, then the only source of its synapses."""
    target, _, factory = line.strip().partition(" ")
    return target, factory.strip() or None


def _protocol_properties(yields: bool) -> list[str]:
    from simnet._release import WrongStack

    try:
        from simnet.fuzz.properties import PROPERTIES
    except WrongStack:  # bittensor 11.x: the item fails with the one-line reason when run
        return ["protocol"]
    return [*PROPERTIES, *(["yields"] if yields else [])]


def _is_reader(target: str) -> bool:
    """Whether ``target`` names a function (a reader) rather than a class; a target that
    cannot be loaded gets the protocol items, which then fail naming why."""
    from simnet.fuzz.targets import TargetError, load_object

    try:
        return not isinstance(load_object(target), type)
    except TargetError:
        return False


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
