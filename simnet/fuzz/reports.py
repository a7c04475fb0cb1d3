"""What a property run reports: counterexamples, findings, notes, and the runner that
collects them over one hypothesis test (for protocols and streaming readers alike)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import hypothesis
from hypothesis.errors import Flaky

from simnet._patches import HYPOTHESIS_DIGEST, found


@dataclass
class Counterexample:
    """One failing example of a property: after shrinking, the minimal one."""

    synapse: Any = None
    """The synapse sent (StreamingSynapse protocols)."""
    chunks: list[bytes] = field(default_factory=list)
    headers: Any = None
    """The response headers, a :class:`simnet.fuzz.variations.HeaderSet` (protocols)."""
    status: int = 200
    reason: str = ""
    client: str | None = None
    """``"httpx"`` or ``"aiohttp"``: the response type a streaming reader was given."""


@dataclass(frozen=True)
class Finding:
    """One distinct way a property fails, with its minimal example."""

    property: str
    message: str
    counterexample: Counterexample
    variants: tuple[str, ...] = ()
    """Other examples of the same root cause (a re-cased name, another variation)."""


@dataclass
class PropertyReport:
    """A property that holds: how many examples ran and what simnet noted on the way
    (fields left out, findings that have no effect on the installed bittensor)."""

    property: str
    examples: int
    notes: list[str] = field(default_factory=list)


class PropertyFailed(AssertionError):
    """A property does not hold. ``findings`` holds every distinct failure (each with its
    minimal example), ``counterexample`` the first one's, ``notes`` what was noted."""

    def __init__(
        self,
        message: str,
        counterexample: Counterexample,
        *,
        findings: Sequence[Finding] = (),
        notes: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.counterexample = counterexample
        self.findings = list(findings)
        self.notes = list(notes)


Progress = Callable[[int], None]
"""Called with the number of examples run so far."""


class ExampleFailed(AssertionError):
    """One example fails: raised inside the hypothesis test, it carries the example, so
    the one hypothesis reports after shrinking is the one simnet prints."""

    def __init__(self, counterexample: Counterexample) -> None:
        super().__init__(counterexample.reason)
        self.counterexample = counterexample


def _example_of(exc: BaseException) -> Counterexample | None:
    """The counterexample ``exc`` carries, or the first one of a group hypothesis raised."""
    if isinstance(exc, ExampleFailed):
        return exc.counterexample
    for inner in getattr(exc, "exceptions", ()):
        found = _example_of(inner)
        if found is not None:
            return found
    return None


class Runner:
    """One event loop for all examples of one property run; collects findings and notes."""

    def __init__(self, name: str, progress: Progress | None) -> None:
        self.name = name
        self.loop = asyncio.new_event_loop()
        self.examples = 0
        self.findings: dict[Any, Finding] = {}
        self.fallbacks: set[Any] = set()
        self._sizes: dict[Any, int] = {}
        self._notes: dict[Any, str] = {}  # key -> text, the first noted per key
        self._progress = progress

    def tick(self) -> None:
        self.examples += 1
        if self._progress is not None:
            self._progress(self.examples)

    def fail(self, reason: str, **example: Any) -> None:
        """Fail this example (hypothesis then shrinks it)."""
        raise ExampleFailed(Counterexample(reason=reason, **example))

    def find(
        self,
        key: Any,
        reason: str,
        *,
        size: int,
        variant: str = "",
        fallback: bool = False,
        **example: Any,
    ) -> None:
        """Record a finding without failing the example: one per root cause ``key``, with
        its smallest example; ``variant`` names this example among the others of the key.
        A ``fallback`` finding is reported only if hypothesis finds no failing example of
        its own (whose shrunk example says the same more briefly)."""
        if fallback:
            self.fallbacks.add(key)
        known = self.findings.get(key)
        variants = known.variants if known else ()
        if variant and variant not in variants:
            variants = (*variants, variant)
        if known is None or size < self._sizes[key]:
            self._sizes[key] = size
            known = Finding(self.name, reason, Counterexample(reason=reason, **example))
        self.findings[key] = replace(known, variants=variants)

    def also(self, key: Any, variant: str) -> None:
        """Name ``variant`` among the examples of the finding ``key`` (which must exist)."""
        known = self.findings[key]
        if variant not in known.variants:
            self.findings[key] = replace(known, variants=(*known.variants, variant))

    def note(self, text: str, key: Any = None) -> None:
        """Note ``text`` once per ``key`` (default: the text itself)."""
        self._notes.setdefault(text if key is None else key, text)

    @property
    def notes(self) -> list[str]:
        return list(self._notes.values())

    def close(self) -> None:
        # Async generators a reader or protocol left mid-iteration are finalized here,
        # not reported as "Task was destroyed but it is pending" at exit.
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


R = TypeVar("R", bound=Runner)


@functools.cache
def _check_digest_hook() -> None:
    """hypothesis still keys saved examples by ``_hypothesis_internal_add_digest`` (asked
    of its ``function_digest``, not of its version)."""
    from hypothesis.internal import reflection

    digest = found(HYPOTHESIS_DIGEST, reflection)

    def probe() -> None: ...

    plain = digest(probe)
    probe._hypothesis_internal_add_digest = b"simnet"  # type: ignore[attr-defined]
    if digest(probe) == plain:
        raise HYPOTHESIS_DIGEST.changed("it ignores _hypothesis_internal_add_digest")


def _quiet_serializer(test: Callable[[], None]) -> Callable[[], None]:
    """``test`` without pydantic's serializer warnings: dumping a synapse whose protocol
    stored a value of another type warns once per field and example (hundreds of lines);
    what the protocol did is judged on the values themselves."""

    @functools.wraps(test)
    def quiet() -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Pydantic serializer warnings", UserWarning)
            test()

    return quiet


def execute(
    name: str,
    body: Callable[[R], Callable[[], None]],
    seed: int | None,
    progress: Progress | None,
    *,
    key: str,
    runner: Callable[[str, Progress | None], R],
) -> PropertyReport:
    """Run the hypothesis test ``body`` builds; raise :class:`PropertyFailed` with every
    finding, or return the report. Failing examples are saved per property and ``key``
    (the target's name)."""

    def run_all() -> PropertyReport:
        state = runner(name, progress)
        try:
            test = body(state)
            # Failing examples are saved per property *and target* (the same hook
            # hypothesis' pytest plugin uses for parametrized tests): one target's
            # counterexample is no starting point for another's.
            _check_digest_hook()
            test.hypothesis.inner_test._hypothesis_internal_add_digest = key.encode()  # type: ignore[attr-defined]
            if seed is not None:
                test = hypothesis.seed(seed)(test)
            _quiet_serializer(test)()
        except Flaky as exc:
            # The same input gave different results: nothing simnet may call a bug.
            state.note(f"{name}: the result varies between runs of the same input ({exc})")
        except Exception as exc:  # an example's failure, or a group of them
            example = _example_of(exc)
            if example is None:
                raise  # not a property's failure: the target or simnet broke
            kept = {k: f for k, f in state.findings.items() if k not in state.fallbacks}
            state.findings = {"shrunk": Finding(name, example.reason, example), **kept}
        finally:
            state.close()
        notes = list(state.notes)
        if state.findings:
            findings = list(state.findings.values())
            message = f"{name}: " + "; ".join(f.message for f in findings[:1])
            if len(findings) > 1:
                message += f" (and {len(findings) - 1} more finding(s))"
            raise PropertyFailed(
                message, findings[0].counterexample, findings=findings, notes=notes
            )
        return PropertyReport(name, state.examples, notes)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_all()
    # Called from inside a running loop (an async test): run in a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_all).result()
