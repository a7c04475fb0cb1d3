"""Generated pytest items: every ready-made property for each protocol class or streaming
reader named in the ``--simnet-fuzz`` option or the ``simnet_fuzz`` ini setting."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, fields
from typing import Any

import pytest

NOTE = "simnet_note"
"""The ``user_properties`` name of what a property noted (reports carry them across xdist)."""


@dataclass(frozen=True)
class TargetLine:
    """One ``simnet_fuzz`` line (or ``--simnet-fuzz`` value): a target and the options of
    ``simnet fuzz`` that name the validator's own code, each ``MODULE:FUNC``."""

    target: str
    synapse_factory: str | None = None
    consumer: str | None = None
    round_trip: str | None = None

    @property
    def options(self) -> dict[str, str]:
        """The options given, by their command-line names."""
        return {
            _flag(f.name): value
            for f in fields(self)
            if f.name != "target" and (value := getattr(self, f.name)) is not None
        }


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


LINE_OPTIONS = tuple(_flag(f.name) for f in fields(TargetLine) if f.name != "target")
"""The options a target line takes, spelled as ``simnet fuzz`` spells them."""


def parse_target_line(line: str) -> TargetLine:
    """``TARGET [FACTORY] [--synapse-factory F] [--consumer F] [--round-trip F]``: the
    bare second word is the synapse factory (the shorter spelling); ``--opt=F`` works
    too. A line that is none of these is a usage error naming what is wrong."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise pytest.UsageError(f"simnet_fuzz line {line!r}: {exc}") from None
    if not words or words[0].startswith("-"):
        raise pytest.UsageError(f"simnet_fuzz line {line!r} must start with the target")
    target, rest = words[0], words[1:]
    given: dict[str, str] = {}
    if rest and not rest[0].startswith("-"):
        given["--synapse-factory"] = rest.pop(0)
    while rest:
        flag, _, value = rest.pop(0).partition("=")
        problem = _problem(flag, value or (rest[0] if rest else ""), given)
        if problem:
            raise pytest.UsageError(f"simnet_fuzz line {line!r}: {problem}")
        given[flag] = value or rest.pop(0)
    return TargetLine(target, **{k[2:].replace("-", "_"): v for k, v in given.items()})


def _problem(flag: str, value: str, given: dict[str, str]) -> str | None:
    if flag not in LINE_OPTIONS:
        return f"unexpected {flag!r} (a line takes {', '.join(LINE_OPTIONS)}, each MODULE:FUNC)"
    if not value or value.startswith("-"):
        return f"{flag} needs MODULE:FUNC"
    if flag in given:
        return f"{flag} given twice"
    return None


class PropertyItem(pytest.Item):
    """One property checked against one protocol class or streaming reader."""

    def __init__(self, *, line: TargetLine, prop: str, reader: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.line = line
        self.target = line.target
        self.prop = prop
        self.reader = reader
        self._subject: Any = None  # the loaded target, kept for the failure's replay snippet

    def _checked(self) -> tuple[Any, Any]:
        """The property to run and what it runs on."""
        from simnet.fuzz.targets import load_object, load_protocol

        if self.reader:
            from simnet.fuzz.readers import READER_PROPERTIES

            return READER_PROPERTIES[self.prop], load_object(self.target)
        from simnet.fuzz.properties import OPTIONAL_PROPERTIES, PROPERTIES

        return {**PROPERTIES, **OPTIONAL_PROPERTIES}[self.prop], load_protocol(self.target)

    def _options(self) -> dict[str, Any]:
        """The validator's own functions the line names, loaded."""
        from simnet.fuzz.targets import TargetError, load_function

        line = self.line
        if self.reader and line.options:
            raise TargetError(
                f"{', '.join(line.options)} apply to StreamingSynapse classes; "
                f"{line.target!r} is a reader"
            )
        named = {
            "synapse_factory": (line.synapse_factory, "synapse factory"),
            "consumer": (line.consumer, "consumer"),
            "expected": (line.round_trip, "round-trip expectation"),
        }
        return {k: load_function(spec, what) for k, (spec, what) in named.items() if spec}

    def runtest(self) -> None:
        from simnet.fuzz.reports import PropertyFailed
        from simnet.fuzz.targets import accepted

        check, subject = self._checked()
        self._subject = subject
        options = self._options()
        try:
            report = check(subject, **accepted(check, **options))
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
    for text in targets:
        line = parse_target_line(text)
        reader = _is_reader(line.target)
        for prop in READER_PROPERTIES if reader else _protocol_properties(line, yields):
            items.append(
                PropertyItem.from_parent(
                    session,
                    name=f"simnet-fuzz[{line.target}::{prop}]",
                    line=line,
                    prop=prop,
                    reader=reader,
                )
            )
    return items


def _protocol_properties(line: TargetLine, yields: bool) -> list[str]:
    """The default properties, the yields' if asked, the round trip's if the line names
    the protocol's documented transformation (``--round-trip``)."""
    from simnet._release import WrongStack

    try:
        from simnet.fuzz.properties import PROPERTIES
    except WrongStack:  # bittensor 11.x: the item fails with the one-line reason when run
        return ["protocol"]
    optional = ["yields"] * yields + ["round_trip"] * (line.round_trip is not None)
    return [*PROPERTIES, *optional]


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
