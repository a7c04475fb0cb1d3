"""``simnet fuzz``: run every ready-made property against a protocol class."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from simnet.fuzz.reproduction import reader_reproduction, reproduction
from simnet.fuzz.targets import TargetError, load_function, load_object, load_protocol

EXIT_OK, EXIT_FAILED, EXIT_UNLOADABLE = 0, 1, 2


def fuzz(
    console: Console,
    target: str,
    *,
    bodies: Sequence[Path] = (),
    miner: str | None = None,
    examples: int | None = None,
    seed: int | None = None,
    fields: Sequence[str] = (),
    synapse: str | None = None,
    synapse_factory: str | None = None,
    consumer: str | None = None,
    round_trip: str | None = None,
    yields: bool = False,
    client: str | None = None,
) -> int:
    """Run each property on ``target``; return the exit code (0 hold, 1 failed, 2 unusable)."""
    from hypothesis.errors import HypothesisException

    try:
        loaded = load_object(target)
        if not isinstance(loaded, type):
            unusable = [
                flag
                for flag, given in (
                    ("--miner", miner),
                    ("--field", fields),
                    ("--synapse", synapse),
                    ("--synapse-factory", synapse_factory),
                    ("--consumer", consumer),
                    ("--round-trip", round_trip),
                    ("--yields", yields),
                )
                if given
            ]
            if unusable:
                raise TargetError(
                    f"{', '.join(unusable)} apply to StreamingSynapse classes; {target!r} "
                    "is a reader"
                )
            return _fuzz_reader(console, target, loaded, bodies, examples, seed, client)
        if client is not None:
            raise TargetError(f"--client applies to readers; {target!r} is a class")
    except TargetError as exc:
        _one_line(console, str(exc))
        return EXIT_UNLOADABLE
    from simnet._compat import quiet_bittensor_logging
    from simnet.fuzz import strategies
    from simnet.fuzz.profiles import active_profile, profile_settings
    from simnet.fuzz.properties import OPTIONAL_PROPERTIES, PROPERTIES
    from simnet.fuzz.samples import Sample, as_samples
    from simnet.fuzz.targets import accepted

    try:
        cls = load_protocol(target)
        factory = _factory(synapse_factory, fields, synapse)
        fold = _function(consumer, "consumer")
        expected = _function(round_trip, "round-trip expectation")
        synapses = None if factory else _synapses(cls, fields, synapse)
        given = [Sample(_read_body(path), f"body {path}") for path in bodies]
        if miner is not None:
            drawn = strategies.from_factory(cls, factory) if factory else synapses
            given += [Sample(p, f"miner {miner}") for p in _capture_miner(cls, miner, drawn)]
    except (TargetError, HypothesisException) as exc:
        console.print(f"simnet fuzz: {exc}", style="red", markup=False, highlight=False)
        return EXIT_UNLOADABLE

    quiet_bittensor_logging()
    checks = {**PROPERTIES, **({"yields": OPTIONAL_PROPERTIES["yields"]} if yields else {})}
    if expected is not None:
        checks["round_trip"] = OPTIONAL_PROPERTIES["round_trip"]
    budget = examples or profile_settings().max_examples
    console.print(
        f"[bold]simnet fuzz[/] {cls.__module__}.{cls.__qualname__}: {len(checks)} properties, "
        f"up to {budget} examples each (profile {active_profile()}"
        + (f", seed {seed})" if seed is not None else ")")
    )
    samples = as_samples(given)

    def run(name: str, check: Any, progress: Any) -> Any:
        options = accepted(
            check,
            synapses=synapses,
            synapse_factory=factory,
            samples=samples,
            consumer=fold,
            expected=expected,
        )
        return check(cls, max_examples=examples, seed=seed, progress=progress, **options)

    def report(name: str, exc: Any) -> None:
        _report_failure(console, name, exc, lambda e: reproduction(target, cls, e), True)

    return _run_checks(console, checks, budget, run, report, cls.__qualname__)


def _fuzz_reader(
    console: Console,
    target: str,
    reader: Any,
    bodies: Sequence[Path],
    examples: int | None,
    seed: int | None,
    client: str | None,
) -> int:
    """Run the reader properties on ``reader``; the same exit codes as :func:`fuzz`."""
    from simnet.fuzz.profiles import active_profile, profile_settings
    from simnet.fuzz.readers import READER_PROPERTIES, choose_client
    from simnet.fuzz.samples import Sample, as_samples

    if not callable(reader):
        _one_line(console, f"target {target!r} is {reader!r}: neither a class nor a reader")
        return EXIT_UNLOADABLE
    try:
        given = [Sample(_read_body(path), f"body {path}") for path in bodies]
    except TargetError as exc:
        _one_line(console, str(exc))
        return EXIT_UNLOADABLE
    chosen, _ = choose_client(reader, client)
    budget = examples or profile_settings().max_examples
    console.print(
        f"[bold]simnet fuzz[/] reader {target} ({chosen} responses): "
        f"{len(READER_PROPERTIES)} properties, up to {budget} examples each "
        f"(profile {active_profile()}" + (f", seed {seed})" if seed is not None else ")")
    )

    def run(name: str, check: Any, progress: Any) -> Any:
        kwargs: dict[str, Any] = {"max_examples": examples, "seed": seed, "client": client}
        if name == "chunking_invariance" and given:
            kwargs["samples"] = as_samples(given)
        return check(reader, progress=progress, **kwargs)

    def report(name: str, exc: Any) -> None:
        _report_failure(console, name, exc, lambda e: reader_reproduction(target, reader, e), False)

    name = getattr(reader, "__qualname__", target)
    return _run_checks(console, READER_PROPERTIES, budget, run, report, name)


def _run_checks(
    console: Console,
    checks: dict[str, Any],
    budget: int,
    run: Any,
    report: Any,
    what: str,
) -> int:
    """Run each check with a progress bar; report failures; the exit code."""
    from hypothesis.errors import HypothesisException

    from simnet.fuzz.reports import PropertyFailed

    failed = False
    for name, check in checks.items():
        started = time.perf_counter()
        with _progress(console) as progress:
            task = progress.add_task(name.replace("_", " "), total=budget)

            def advance(n: int, task: Any = task, progress: Progress = progress) -> None:
                progress.update(task, completed=min(n, budget))

            try:
                result = run(name, check, advance)
            except PropertyFailed as exc:
                progress.stop()
                report(name, exc)
                failed = True
                continue
            except HypothesisException as exc:
                progress.stop()
                _one_line(console, f"hypothesis could not run {name}: {exc}")
                return EXIT_UNLOADABLE
            except Exception as exc:  # simnet could not drive the target: never exit 1 for it
                progress.stop()
                _one_line(console, f"could not run {name} on {what}: {type(exc).__name__}: {exc}")
                return EXIT_UNLOADABLE
        elapsed = time.perf_counter() - started
        console.print(f"[green]✓[/] {name.replace('_', ' ')} holds ({elapsed:.1f} s)")
        _print_notes(console, result.notes)
    return EXIT_FAILED if failed else EXIT_OK


def _one_line(console: Console, message: str) -> None:
    first = message.strip().splitlines()[0] if message.strip() else message
    console.print(f"simnet fuzz: {first}", style="red", markup=False, highlight=False)


def _synapses(cls: type, fields: Sequence[str], synapse: str | None) -> Any:
    """The synapse strategy the command line asks for: drawn, with pinned fields, or one."""
    import json

    import pydantic
    from hypothesis import strategies as st

    from simnet.fuzz import strategies

    if synapse is not None:
        text = _read_body(Path(synapse[1:])).decode() if synapse.startswith("@") else synapse
        try:
            return st.just(cls.model_validate(json.loads(text)))  # type: ignore[attr-defined]
        except (ValueError, pydantic.ValidationError) as exc:
            raise TargetError(
                f"--synapse is not a valid {cls.__name__}: {_first_error(exc)}"
            ) from None
    pins: dict[str, Any] = {}
    for spec in fields:
        name, sep, value = spec.partition("=")
        if not sep or not name:
            raise TargetError(f"--field {spec!r} must be NAME=JSON")
        if name not in cls.model_fields:  # type: ignore[attr-defined]
            raise TargetError(f"--field {name}: {cls.__name__} has no field {name!r}")
        try:
            pins[name] = json.loads(value)
        except ValueError as exc:
            raise TargetError(f"--field {name}: {value!r} is not JSON ({exc})") from None
        _check_pin(cls, name, pins[name])
    return strategies.synapses(cls, **pins)


def _factory(spec: str | None, fields: Sequence[str], synapse: str | None) -> Any:
    """The validator's synapse builder ``spec`` names, if any (alone: it is then the only
    source of synapses)."""
    if spec is None:
        return None
    if fields or synapse is not None:
        raise TargetError(
            "--synapse-factory is the only source of synapses: drop --field/--synapse"
        )
    return _function(spec, "synapse factory")


def _function(spec: str | None, what: str) -> Any:
    """The function ``spec`` names, if any."""
    return None if spec is None else load_function(spec, what)


def _check_pin(cls: Any, name: str, value: Any) -> None:
    import pydantic

    try:
        cls.model_validate({name: value})
    except pydantic.ValidationError as exc:
        # Only this field's errors count: other required fields are drawn later.
        mine = [e for e in exc.errors() if e["loc"] and e["loc"][0] == name]
        if mine:
            where = ".".join(str(part) for part in mine[0]["loc"])
            raise TargetError(f"--field {name}: {where}: {mine[0]['msg']}") from None


def _first_error(exc: Exception) -> str:
    import pydantic

    if isinstance(exc, pydantic.ValidationError) and exc.errors():
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"{where}: {error['msg']}" if where else str(error["msg"])
    return str(exc).splitlines()[0]


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _read_body(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TargetError(f"body {str(path)!r} cannot be read: {exc.strerror}") from exc


def _capture_miner(cls: type, spec: str, synapses: Any) -> list[bytes]:
    """Payloads streamed by the miner's real forward for a few generated synapses."""
    from hypothesis import Phase, given, settings

    from simnet.fuzz import strategies

    forward = load_object(spec, what="miner")
    if not callable(forward):
        raise TargetError(f"miner {spec!r} is {forward!r}, not a forward function")
    captured: list[bytes] = []

    @settings(max_examples=20, database=None, derandomize=True, phases=[Phase.generate])
    @given(synapses)
    def capture(synapse: Any) -> None:
        captured.append(b"".join(strategies.capture_stream(forward, synapse)))

    try:
        capture()
    except Exception as exc:
        raise TargetError(f"miner {spec!r} failed while streaming: {exc!r}") from exc
    return sorted({payload for payload in captured if payload}, key=len)[:10]


def _print_notes(console: Console, notes: Sequence[str]) -> None:
    for note in notes:
        console.print(f"  note: {note}", markup=False, highlight=False, soft_wrap=True)


def _report_failure(
    console: Console, name: str, exc: Any, snippet: Any, with_synapse: bool
) -> None:
    """One block per finding: what fails, its minimal example, a snippet that replays it."""
    findings = exc.findings
    title = name.replace("_", " ")
    console.print(f"[red]✗ {title} fails[/] ({len(findings)} finding{'s' * (len(findings) != 1)})")
    for number, finding in enumerate(findings, 1):
        example = finding.counterexample
        lines = [
            f"finding {number}/{len(findings)} of {title}: {finding.message}",
            *([f"  synapse: {example.synapse!r}"] if with_synapse else []),
            *([f"  client:  {example.client}"] if example.client else []),
            *([f"  chunks:  {example.chunks!r}"] if example.chunks else []),
            *([f"  headers: {example.headers!r}"] if example.headers is not None else []),
            *([f"  seen with: {' | '.join(finding.variants)}"] if finding.variants[1:] else []),
            f"  status:  {example.status}",
            "  reproduce with this Python (runnable as printed):",
            snippet(example),
            f"  (end of finding {number})",
        ]
        console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
    _print_notes(console, exc.notes)
