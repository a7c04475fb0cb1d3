"""Miner hygiene: what a miner does wrong on the axon side, caught and handed to the test.

* Exceptions raised by ``forward``, ``blacklist``, ``priority`` or the token streamer
  (the axon turns them into a 500 and a log line; simnet records them).
* ASGI protocol violations by the token streamer: a body with ``more_body: False``
  (BTStreamingResponse sends the last one itself), a message that is not a body.
* The event loop serving the axons blocked longer than a threshold (for example by
  ``time.sleep`` inside an async token streamer), with the stack of the blocking call.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_BLOCKING_THRESHOLD = 0.2  # seconds


@dataclass(frozen=True)
class MinerProblem:
    """One thing a served miner did wrong."""

    kind: str  # "exception", "asgi", "blocking"
    where: str
    message: str
    details: str = ""

    def __str__(self) -> str:
        text = f"{self.kind} in {self.where}: {self.message}"
        return f"{text}\n{self.details}" if self.details else text


class MinerError(AssertionError):
    """Raised at teardown when a served miner misbehaved; lists every problem."""

    def __init__(self, problems: list[MinerProblem]) -> None:
        self.problems = problems
        lines = "\n\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) on simnet's axons:\n\n{lines}")


Report = Callable[[MinerProblem], None]


def _exception_problem(where: str, exc: BaseException) -> MinerProblem:
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return MinerProblem("exception", where, f"{type(exc).__name__}: {exc}", details.rstrip())


def recording(fn: Callable[..., Any], where: str, report: Report) -> Callable[..., Any]:
    """``fn`` with its exceptions reported (then re-raised), same signature and async-ness.

    A forward's streaming response gets its token streamer wrapped too.
    """
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                result = await fn(*args, **kwargs)
            except Exception as exc:
                report(_exception_problem(where, exc))
                raise
            return _wrap_streamer(result, where, report)

        return async_wrapper

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            report(_exception_problem(where, exc))
            raise
        return _wrap_streamer(result, where, report)

    return wrapper


def _wrap_streamer(result: Any, where: str, report: Report) -> Any:
    streamer = getattr(result, "token_streamer", None)
    if streamer is None:
        return result
    where = f"the token streamer of {where}"

    async def token_streamer(send: Any) -> None:
        async def checked_send(message: dict[str, Any]) -> None:
            problem = _streamer_violation(message, where)
            if problem is not None:
                report(problem)
            await send(message)

        try:
            await streamer(checked_send)
        except Exception as exc:
            report(_exception_problem(where, exc))
            raise

    result.token_streamer = token_streamer
    return result


def _streamer_violation(message: dict[str, Any], where: str) -> MinerProblem | None:
    """What is wrong with a message a token streamer sends, if anything.

    ``BTStreamingResponse`` sends ``http.response.start`` before the streamer runs and the
    final ``more_body: False`` body after it; the streamer may only send bodies with
    ``more_body: True``.
    """
    kind = message.get("type")
    if kind != "http.response.body":
        return MinerProblem(
            "asgi",
            where,
            f"sent a {kind!r} message; a token streamer may only send "
            "'http.response.body' (BTStreamingResponse already sent http.response.start)",
        )
    if not message.get("more_body", False):
        return MinerProblem(
            "asgi",
            where,
            "sent a body with more_body: False (or without more_body); "
            "BTStreamingResponse sends the final body itself, so every later message "
            "breaks the ASGI protocol - send more_body: True",
        )
    return None


def _injected(exc: BaseException) -> bool:
    from simnet.wire.injector import is_injected_disconnect

    return is_injected_disconnect(exc)


class AppErrorReporter:
    """ASGI middleware reporting exceptions that escape the axon app it wraps.

    Message order is checked where the miner produces messages (the token streamer,
    see :func:`recording`): bittensor's middleware re-emits every response as a
    well-formed stream, so nothing out of order can be seen from outside it.
    """

    def __init__(self, app: Any, where: str, report: Report) -> None:
        self.app = app
        self.where = where
        self.report = report

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            # An app without lifespan support raises on that scope: uvicorn's "auto"
            # mode expects it, so it is no miner's problem.
            if scope.get("type") != "lifespan" and not _injected(exc):
                self.report(_exception_problem(f"{self.where} {scope.get('path', '')}", exc))
            raise


class LoopWatchdog:
    """A thread that notices when one callback holds an event loop for too long.

    Each tick it looks at which ``asyncio`` handle the loop's thread is running. The same
    handle running for longer than a subscriber's threshold means blocking code (a busy
    loop switching between many short callbacks is not reported). Time spent in garbage
    collection does not count: a full collection of a process serving 256 axons can
    take most of a second, in whichever thread triggered it, and is no miner's doing.
    Subscribers get the stack of the loop's thread at that moment.
    """

    def __init__(
        self,
        loop: Any,
        loop_thread: threading.Thread,
        tick: float = 0.02,
        *,
        where: str = "the event loop serving the axons",
        ignore: Callable[[Any], bool] = lambda frame: False,
    ) -> None:
        self.loop = loop
        self.loop_thread = loop_thread
        self.tick = tick
        self.where = where
        self.ignore = ignore
        """Told the blocking stack's top frame; True means the block is not reported."""
        self._lock = threading.Lock()
        self._subscribers: dict[int, tuple[float, Report]] = {}
        self._stop = threading.Event()
        self._gc_started: float | None = None
        self._gc_seconds = 0.0  # total time in garbage collection while watching
        gc.callbacks.append(self._on_gc)
        self._thread = threading.Thread(target=self._run, name="simnet-loop-watchdog", daemon=True)
        self._thread.start()

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        # Runs with the GIL held, in the thread that triggered the collection.
        if phase == "start":
            self._gc_started = time.monotonic()
        elif self._gc_started is not None:
            self._gc_seconds += time.monotonic() - self._gc_started
            self._gc_started = None

    def _gc_time(self) -> float:
        """Seconds spent in garbage collection so far, the running collection included."""
        started = self._gc_started
        return self._gc_seconds + (time.monotonic() - started if started is not None else 0.0)

    def subscribe(self, threshold: float, report: Report) -> int:
        """Call ``report`` when one callback holds the loop for more than ``threshold`` s."""
        if threshold <= 0:
            raise ValueError(f"blocking threshold {threshold=} must be positive")
        with self._lock:
            token = id(report)
            self._subscribers[token] = (threshold, report)
            return token

    def unsubscribe(self, token: int) -> None:
        with self._lock:
            self._subscribers.pop(token, None)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _running_handle(self) -> tuple[object | None, Any]:
        """The handle the loop thread is running, and its stack's top frame. Another
        thread's stack is read while it changes: a walk that meets something other than
        a frame (seen once in CI: ``f_back`` gave a ``bool``) counts as no handle for
        this tick, instead of ending the watchdog."""
        frame = sys._current_frames().get(self.loop_thread.ident or -1)
        top = frame
        try:
            while frame is not None:
                handle = frame.f_locals.get("self") if frame.f_code.co_name == "_run" else None
                if isinstance(handle, asyncio.Handle):
                    return handle, top
                frame = frame.f_back
        except Exception:  # a stack read mid-change: the next tick reads it again
            return None, None
        return None, top

    def _run(self) -> None:
        current: object | None = None
        since = time.monotonic()
        collected_since = self._gc_time()
        told: set[int] = set()
        while not self._stop.wait(self.tick):
            handle, top = self._running_handle()
            now = time.monotonic()
            if handle is not current:
                current, since, told = handle, now, set()
                collected_since = self._gc_time()
                continue
            if handle is None:
                continue
            held = now - since - (self._gc_time() - collected_since)
            with self._lock:
                due = [
                    (token, threshold, report)
                    for token, (threshold, report) in self._subscribers.items()
                    if held > threshold and token not in told
                ]
            if due and self.ignore(top):
                told.update(token for token, _, _ in due)
                continue
            for token, threshold, report in due:
                told.add(token)
                report(self._blocked(threshold, held, top))

    def _blocked(self, threshold: float, held: float, frame: Any) -> MinerProblem:
        stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
        return MinerProblem(
            "blocking",
            self.where,
            f"blocked for more than {threshold:.2f} s ({held:.2f} s when noticed): code on "
            "it runs blocking calls (e.g. time.sleep) instead of awaiting",
            "stack of the blocking call:\n" + stack.rstrip(),
        )
