"""``simnet fuzz``: run every ready-made property against a protocol class."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from simnet.fuzz.reproduction import reproduction
from simnet.fuzz.targets import TargetError, load_object, load_protocol

EXIT_OK, EXIT_FAILED, EXIT_UNLOADABLE = 0, 1, 2


def fuzz(
    console: Console,
    target: str,
    *,
    bodies: Sequence[Path] = (),
    miner: str | None = None,
    examples: int | None = None,
    seed: int | None = None,
) -> int:
    """Run each property on ``target``; return the exit code (0 hold, 1 failed, 2 unloadable)."""
    try:
        cls = load_protocol(target)
        samples = [_read_body(path) for path in bodies]
        if miner is not None:
            samples += _capture_miner(cls, miner)
    except TargetError as exc:
        console.print(f"[red]simnet fuzz: {exc}[/]")
        return EXIT_UNLOADABLE

    from hypothesis.errors import HypothesisException

    from simnet._compat import quiet_bittensor_logging
    from simnet.fuzz import strategies
    from simnet.fuzz.profiles import active_profile, profile_settings
    from simnet.fuzz.properties import DEFAULT_SAMPLES, PROPERTIES, PropertyFailed

    quiet_bittensor_logging()
    budget = examples or profile_settings().max_examples
    console.print(
        f"[bold]simnet fuzz[/] {cls.__module__}.{cls.__qualname__}: {len(PROPERTIES)} properties, "
        f"up to {budget} examples each (profile {active_profile()}"
        + (f", seed {seed})" if seed is not None else ")")
    )
    payloads = strategies.payloads(samples=[*samples, *DEFAULT_SAMPLES])
    failed = False
    for name, check in PROPERTIES.items():
        kwargs: dict[str, Any] = {"max_examples": examples, "seed": seed}
        if name == "chunking_invariance":
            kwargs["payloads"] = payloads
        started = time.perf_counter()
        with _progress(console) as progress:
            task = progress.add_task(name.replace("_", " "), total=budget)

            def advance(n: int, task: Any = task, progress: Progress = progress) -> None:
                progress.update(task, completed=min(n, budget))

            try:
                check(cls, progress=advance, **kwargs)
            except PropertyFailed as exc:
                progress.stop()
                _report_failure(console, target, cls, name, exc)
                failed = True
                continue
            except HypothesisException as exc:
                progress.stop()
                console.print(f"[red]simnet fuzz: hypothesis could not run {name}:[/] {exc}")
                return EXIT_UNLOADABLE
            except Exception as exc:  # simnet could not drive the class: never exit 1 for it
                progress.stop()
                console.print(
                    f"[red]simnet fuzz: could not run {name} on {cls.__qualname__}:[/] "
                    f"{type(exc).__name__}: {exc}",
                    markup=True,
                )
                return EXIT_UNLOADABLE
        elapsed = time.perf_counter() - started
        console.print(f"[green]✓[/] {name.replace('_', ' ')} holds ({elapsed:.1f} s)")
    return EXIT_FAILED if failed else EXIT_OK


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


def _capture_miner(cls: type, spec: str) -> list[bytes]:
    """Payloads streamed by the miner's real forward for a few generated synapses."""
    from hypothesis import Phase, given, settings

    from simnet.fuzz import strategies

    forward = load_object(spec, what="miner")
    if not callable(forward):
        raise TargetError(f"miner {spec!r} is {forward!r}, not a forward function")
    captured: list[bytes] = []

    @settings(max_examples=20, database=None, derandomize=True, phases=[Phase.generate])
    @given(strategies.synapses(cls))
    def capture(synapse: Any) -> None:
        captured.append(b"".join(strategies.capture_stream(forward, synapse)))

    try:
        capture()
    except Exception as exc:
        raise TargetError(f"miner {spec!r} failed while streaming: {exc!r}") from exc
    return sorted({payload for payload in captured if payload}, key=len)[:10]


def _report_failure(console: Console, target: str, cls: type, name: str, exc: Any) -> None:
    example = exc.counterexample
    console.print(f"[red]✗ {name.replace('_', ' ')} fails:[/] ", end="")
    console.print(str(exc).partition(": ")[2], markup=False)
    console.print("[bold]minimal counterexample[/]")
    console.print(f"  synapse: {example.synapse!r}", markup=False)
    if example.chunks:
        console.print(f"  chunks:  {example.chunks!r}", markup=False)
    if example.headers is not None:
        console.print(f"  headers: {example.headers!r}", markup=False)
    console.print(f"  status:  {example.status}")
    console.print("[bold]reproduce with[/]")
    console.print(reproduction(target, cls, example), markup=False, highlight=False, soft_wrap=True)
