"""Blocking calls on an event loop: one callback holding the loop longer than a threshold.

No thread ever reads another thread's frames (on CPython 3.11 that can crash the process):

* **Recording.** While any loop is watched, ``asyncio.Handle._run`` (where a pure-Python
  event loop runs every callback: task steps, I/O callbacks, timers) is wrapped. For a
  watched loop the wrapper, in the loop's own thread, records which step runs and since
  when, and at the step's end measures it: a step over the threshold is a block, reported
  from there. Unwatched loops pay one dictionary lookup per callback. The last watch to
  end puts ``Handle._run`` back.
* **Where.** The blocked thread says where it is itself. On the main thread, a watchdog
  thread that reads only the record sends a signal once a step is over the threshold; the
  handler, run by the main thread between two bytecodes of the blocking code (a
  ``time.sleep`` is resumed after it), takes the stack of the code it interrupted. On any
  other thread (simnet's axon host), the step's own end says where its coroutines stopped
  next: the blocking code ran in that step, before the innermost line shown.
* **Not counted.** Time in garbage collection (it holds every thread, whoever triggered
  it) is subtracted; so is, on Linux, the time the loop's thread was runnable but waited
  for a core the machine gave to other work (the kernel's per-thread scheduler figures,
  sampled by a meter thread from ``/proc``): on a loaded CI machine a step is not blamed
  for the machine, while a sleep or a blocking call still counts in full. Time inside
  simnet's own calls (:func:`excused`) and the steps of simnet's own tasks
  (:func:`own_task`) are not the subnet's. uvloop's loops run callbacks in C and are not
  watched.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import itertools
import signal
import sys
import sysconfig
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from simnet._patches import HANDLE_RUN, found
from simnet.wire.hygiene import MinerProblem

DEFAULT_BLOCKING_THRESHOLD = 0.2  # seconds


def parse_threshold(text: str) -> float | None:
    """A blocking threshold as a user types it: seconds, or ``off`` (``None``)."""
    if text.strip().lower() in ("off", "none"):
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ValueError(
            f"blocking threshold {text!r}: expected a positive number of seconds, or off"
        )
    return seconds


@dataclass(frozen=True)
class Blocked:
    """One callback that held its loop longer than a watch's threshold."""

    where: str
    """Which loop: "the event loop serving the axons", "... running the validator's code"."""
    seconds: float
    """How long the callback held the loop (garbage collection excluded); for a callback
    still running when the watch ended, how long until then."""
    callback: str
    """What ran: a task and its coroutine, or a plain callback."""
    stack: traceback.StackSummary
    """Where the callback's coroutines stopped at its end (the block lies before the
    innermost line): what makes blocks the same place. Empty for a callback still
    running when the watch ended."""
    finished: bool = True
    exact: traceback.StackSummary | None = None
    """The blocking call's own stack, taken in the loop's thread: while it blocked (the
    main thread's signal), or as a later callback of the same kind blocked (profiled
    because this kind blocked before); ``None`` if neither saw it."""

    @property
    def site(self) -> tuple[object, ...]:
        """What makes two blocks the same place in the code."""
        frames = tuple((f.filename, f.lineno, f.name) for f in self.stack)
        return (self.where, frames or self.callback)


Observer = Callable[[Blocked], None]
Ignore = Callable[[traceback.StackSummary], bool]


# -- the recording, shared by every watched loop ---------------------------------------------
_ORIGINAL_RUN: Callable[[asyncio.Handle], None] = asyncio.Handle._run
"""What runs a callback; kept for good, so a callback already inside the wrapper when the
last watch ends still runs."""
_records: dict[asyncio.AbstractEventLoop, _LoopRecord] = {}
_records_lock = threading.Lock()
_collected = 0.0  # seconds spent in garbage collection while anything is watched
_collection_started: float | None = None


def _on_gc(phase: str, info: dict[str, int]) -> None:
    # Runs with the GIL held, in whichever thread triggered the collection.
    global _collected, _collection_started
    if phase == "start":
        _collection_started = time.monotonic()
    elif _collection_started is not None:
        _collected += time.monotonic() - _collection_started
        _collection_started = None


def collected_seconds() -> float:
    """Seconds spent in garbage collection so far, the running collection included."""
    started = _collection_started
    return _collected + (time.monotonic() - started if started is not None else 0.0)


def _run_queue_wait(native_id: int) -> float | None:
    """Seconds thread ``native_id`` of this process has spent runnable but waiting for a
    core, from the kernel's scheduler statistics (Linux); ``None`` where there are none."""
    try:
        with open(f"/proc/self/task/{native_id}/schedstat", "rb") as stats:
            return int(stats.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


class _RunQueueMeter:
    """Samples, every ``TICK``, how long each watched loop's thread has waited for a core
    (runnable, but the machine ran other work: a loaded CI machine). A step's start keeps
    the latest sample (a read of one attribute); a step over the threshold reads the
    kernel's figure at its end, and the wait in between is not blamed on the step. Reads
    only ``/proc`` files, never another thread's frames. Runs while any loop is watched,
    on Linux."""

    TICK = 0.02

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simnet-run-queue", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.TICK):
            with _records_lock:
                records = list(_records.values())
            for record in records:
                if record.native_id is not None:
                    waited = _run_queue_wait(record.native_id)
                    if waited is not None:
                        record.run_queue = waited

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


_meter: _RunQueueMeter | None = None


def _recording_run(handle: asyncio.Handle) -> None:
    record = _records.get(handle._loop)  # type: ignore[attr-defined]
    if record is None:
        _ORIGINAL_RUN(handle)
    else:
        record.run(handle)


def _watch(record: _LoopRecord) -> None:
    global _meter
    with _records_lock:
        if record.loop in _records:
            raise RuntimeError(f"{record.loop!r} is already watched")
        if not _records:
            found(HANDLE_RUN, asyncio.Handle)
            if asyncio.Handle._run is not _ORIGINAL_RUN:
                raise RuntimeError(
                    "asyncio.Handle._run was replaced by something else; simnet cannot "
                    "watch event loops for blocking calls (pass blocking_threshold=None)"
                )
            asyncio.Handle._run = _recording_run  # type: ignore[method-assign,assignment]
            gc.callbacks.append(_on_gc)
            _meter = (
                _RunQueueMeter() if _run_queue_wait(threading.get_native_id()) is not None else None
            )
        _records[record.loop] = record


def _unwatch(record: _LoopRecord) -> None:
    global _meter
    meter = None
    with _records_lock:
        if _records.get(record.loop) is not record:
            return
        del _records[record.loop]
        if not _records:
            asyncio.Handle._run = _ORIGINAL_RUN  # type: ignore[method-assign,assignment]
            with contextlib.suppress(ValueError):
                gc.callbacks.remove(_on_gc)
            meter, _meter = _meter, None
    if meter is not None:
        meter.stop()  # outside the lock: the meter's thread takes it on every tick


def recording_installed() -> bool:
    """Whether ``asyncio.Handle._run`` is wrapped now (while any loop is watched)."""
    return asyncio.Handle._run is _recording_run


@contextlib.contextmanager
def excused() -> Iterator[None]:
    """simnet's own work, called from a watched loop's thread (a test calling simnet's
    synchronous API inside its event loop): its time is not counted as blocking. Kept by
    the loop's own record, in its own thread."""
    record = _records.get(asyncio._get_running_loop())  # type: ignore[arg-type]
    if record is None or record.excusing is not None:  # unwatched, or already excused
        yield
        return
    began = record.excusing = time.monotonic()
    try:
        yield
    finally:
        record.excused += time.monotonic() - began
        record.excusing = None


_OWN_TASKS: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()


def own_task() -> None:
    """Mark the running task as simnet's own (a server's serve loop, which starts uvicorn
    and then ticks): its steps are never reported. The subnet's code runs in other tasks
    (each request's, the lifespan's)."""
    task = asyncio.current_task()
    if task is not None:
        _OWN_TASKS.add(task)


def _is_own(handle: asyncio.Handle) -> bool:
    task = getattr(handle._callback, "__self__", None)  # type: ignore[attr-defined]
    return isinstance(task, asyncio.Task) and task in _OWN_TASKS


_NEVER = float("inf")


# -- one watched loop ---------------------------------------------------------------------------
# (serial, handle, started, and at the start: GC seconds, the thread's sampled run-queue
# wait, excused seconds)
_Step = tuple[int, asyncio.Handle, float, float, float, float]


class _LoopRecord:
    """What one watched loop runs now. Written by the loop's own thread, except
    ``run_queue``, the meter's sample."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_main: bool, end: Observer) -> None:
        self.loop = loop
        self.on_main = on_main
        self.threshold = _NEVER  # the smallest threshold of the watch's observers
        self.step: _Step | None = None
        self.serial = 0
        self.wanted = 0  # the serial of the step whose stack the watchdog asked for
        self.stacks: dict[int, traceback.StackSummary] = {}  # taken mid-block, by serial
        self.hunts: dict[object, int] = {}  # kinds of step to profile next: steps left
        self.native_id: int | None = None  # the loop's thread, for its scheduler figures
        self.run_queue = 0.0  # its run-queue wait at the meter's last sample
        self.excused = 0.0  # seconds inside simnet's own calls (:func:`excused`), ended
        self.excusing: float | None = None  # when the simnet call running now began
        self._end = end

    def _excused_now(self) -> float:
        began = self.excusing
        return self.excused + (time.monotonic() - began if began is not None else 0.0)

    def _begin(self, serial: int, handle: asyncio.Handle) -> _Step:
        now = time.monotonic()
        return (serial, handle, now, collected_seconds(), self.run_queue, self._excused_now())

    def held(self, step: _Step) -> float:
        """How long ``step`` has held the loop, less GC, simnet's own calls and (once over
        the threshold) the time its thread waited for a core the machine gave to other
        work (from the meter's sample before the step: a little of the wait just before
        the step may be excused too, never blamed)."""
        _, _, started, collected, run_queue, excused = step
        seconds = time.monotonic() - started - (collected_seconds() - collected)
        if self.excused or self.excusing is not None:
            seconds -= self._excused_now() - excused
        if seconds > self.threshold:
            waited = _run_queue_wait(self.native_id) if self.native_id is not None else None
            if waited is not None:
                seconds -= max(0.0, waited - run_queue)
        return seconds

    def run(self, handle: asyncio.Handle) -> None:
        outer = self.step
        self.serial += 1
        if self.native_id is None:  # the first step: the meter's samples start from here
            self.native_id = threading.get_native_id()
            self.run_queue = _run_queue_wait(self.native_id) or 0.0
        step = self._begin(self.serial, handle)
        self.step = step
        hunter = self._hunter(handle) if self.hunts else None
        try:
            _ORIGINAL_RUN(handle)
        finally:
            if hunter is not None:
                sys.setprofile(None)
            seconds = self.held(step)
            if outer is not None:  # a nested loop run (nest_asyncio) ended: restart its clock
                outer = self._begin(outer[0], outer[1])
            self.step = outer
            stack = self.stacks.pop(step[0], None)
            if seconds > self.threshold and not _is_own(handle):
                self._blocked(handle, seconds, stack, hunter)

    def _blocked(
        self,
        handle: asyncio.Handle,
        seconds: float,
        stack: traceback.StackSummary | None,
        hunter: _Hunter | None,
    ) -> None:
        exact = stack if stack is not None else hunter.found if hunter is not None else None
        if exact is None:  # profile the next steps of the kind, in-thread
            self.hunts[_kind_of(handle)] = _HUNTED_STEPS
        self._end(Blocked("", seconds, describe(handle), stopped_at(handle), exact=exact))

    def _hunter(self, handle: asyncio.Handle) -> _Hunter | None:
        """A profiler for this step, if a step of its kind blocked and was not seen
        blocking: it notes the stack of a call that takes longer than the threshold."""
        kind = _kind_of(handle)
        left = self.hunts.get(kind)
        if left is None or sys.getprofile() is not None:  # someone else's profiler: theirs
            return None
        if left <= 1:
            del self.hunts[kind]
        else:
            self.hunts[kind] = left - 1
        hunter = _Hunter(self.threshold)
        sys.setprofile(hunter)
        return hunter

    def take_stack(self, frame: FrameType | None) -> None:
        """The signal handler's half, on the main thread: the interrupted code's stack."""
        step = self.step
        if step is not None and step[0] == self.wanted and frame is not None:
            stack = _stack_above_recording(frame)
            if stack:  # empty: the signal came as the step was ending, inside the recording
                self.stacks[step[0]] = stack


_HUNTED_STEPS = 5
"""How many later steps of a kind that blocked are profiled to find the blocking line."""


def _kind_of(handle: asyncio.Handle) -> object:
    """What makes two steps the same kind: the task's coroutine, or the callback's code."""
    callback = handle._callback  # type: ignore[attr-defined]
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        return getattr(task.get_coro(), "cr_code", None) or type(task.get_coro())
    return getattr(callback, "__code__", None) or getattr(callback, "__func__", callback)


class _Hunter:
    """A profile function for one step, in the loop's own thread: the stack of the first
    call (into C, such as ``time.sleep``, or into Python) that outlasts the threshold."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.found: traceback.StackSummary | None = None
        self._started: list[float] = []

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event in ("call", "c_call"):
            self._started.append(time.monotonic())
        elif self._started:
            began = self._started.pop()
            if self.found is None and time.monotonic() - began > self.threshold:
                self.found = _stack_above_recording(frame)


def _stack_above_recording(frame: FrameType) -> traceback.StackSummary:
    """The stack of ``frame`` (the current thread's) down to the callback the loop runs."""
    frames = []
    for each, lineno in traceback.walk_stack(frame):
        if each.f_code is _RUN_CODE:
            break
        if each.f_code is not _HANDLE_RUN_CODE:
            frames.append((each, lineno))
    return traceback.StackSummary.extract(reversed(frames))


_RUN_CODE = _LoopRecord.run.__code__
_HANDLE_RUN_CODE = _ORIGINAL_RUN.__code__


_Entry = tuple[str, int, str, None]


def stopped_at(handle: asyncio.Handle) -> traceback.StackSummary:
    """Where ``handle``'s callback left off, read by the loop's thread right after it ran:
    a task's chain of awaits from its coroutine inwards, or a plain callback's function."""
    callback = handle._callback  # type: ignore[attr-defined]
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro: Any = task.get_coro()
        entries: list[_Entry] = []
        while coro is not None:
            frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
            if frame is None:
                code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
                if code is not None and not entries:  # it ran to its end in this step
                    entries.append((code.co_filename, code.co_firstlineno, code.co_name, None))
                break
            entries.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, None))
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        return traceback.StackSummary.from_list(_down_to_own_code(entries))
    code = getattr(callback, "__code__", None) or getattr(
        getattr(callback, "__func__", None), "__code__", None
    )
    if code is None:
        return traceback.StackSummary()
    return traceback.StackSummary.from_list(
        [(code.co_filename, code.co_firstlineno, code.co_name, None)]
    )


_LIBRARIES = (
    *{sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")},
    str(Path(__file__).resolve().parents[1]),
)


def _down_to_own_code(entries: list[_Entry]) -> list[_Entry]:
    """The chain of awaits down to its innermost frame outside the standard library,
    installed packages and simnet (the framework's own awaits below it are left out)."""
    own = [i for i, entry in enumerate(entries) if not entry[0].startswith(_LIBRARIES)]
    return entries[: own[-1] + 1] if own else entries


def describe(handle: asyncio.Handle) -> str:
    """What a handle runs, in words, without touching any frame."""
    callback = handle._callback  # type: ignore[attr-defined]
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        name = getattr(coro, "__qualname__", type(coro).__name__)
        return f"a step of task {task.get_name()!r} ({name})"
    return f"the callback {getattr(callback, '__qualname__', repr(callback))}"


# -- asking the main thread where it is -------------------------------------------------------
_SIGNAL: int | None = (
    signal.SIGRTMIN + 7 if hasattr(signal, "SIGRTMIN") else getattr(signal, "SIGUSR2", None)
)
_signal_users = 0
_saved_handler: Any = None


def _on_signal(signum: int, frame: FrameType | None) -> None:
    for record in list(_records.values()):
        if record.on_main:
            record.take_stack(frame)


def _take_signal() -> bool:
    """Install the stack-taking handler (main thread only); False if the signal is not
    ours to take (a handler of someone else's is there, or no such signal here)."""
    global _signal_users, _saved_handler
    if _SIGNAL is None or threading.current_thread() is not threading.main_thread():
        return False
    if _signal_users == 0:
        current = signal.getsignal(_SIGNAL)
        if current not in (signal.SIG_DFL, None):
            return False
        _saved_handler = current
        signal.signal(_SIGNAL, _on_signal)
        signal.siginterrupt(_SIGNAL, False)  # interrupted system calls restart
    _signal_users += 1
    return True


def _give_signal_back() -> None:
    global _signal_users
    _signal_users -= 1
    if _signal_users == 0 and _SIGNAL is not None:
        with contextlib.suppress(ValueError):  # not on the main thread: left installed
            signal.signal(_SIGNAL, _saved_handler or signal.SIG_DFL)


# -- the watch ------------------------------------------------------------------------------------
class LoopWatch:
    """Blocks of one event loop, delivered to observers with thresholds of their own.

    ``on_main``: the loop runs on the main thread (create the watch there), so a block's
    stack is taken while it blocks; otherwise where the blocking callback stopped is
    reported. :meth:`stop` ends the watch from any thread.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        where: str = "the event loop serving the axons",
        ignore: Ignore | None = None,
        on_main: bool = False,
        tick: float = 0.02,
    ) -> None:
        self.loop = loop
        self.where = where
        self.ignore = ignore
        """Told a block's stack; True means the block is not reported (simnet's own calls)."""
        self.tick = tick
        self._lock = threading.Lock()
        self._observers: dict[int, tuple[float, Observer]] = {}
        self._tokens = itertools.count()
        self._stopped = threading.Event()
        self._signalled = on_main and _take_signal()
        self._record = _LoopRecord(loop, on_main, self._deliver)
        _watch(self._record)
        self._thread: threading.Thread | None = None
        if self._signalled:
            self._thread = threading.Thread(
                target=self._run, name="simnet-loop-watchdog", daemon=True
            )
            self._thread.start()

    def subscribe(self, threshold: float, observe: Observer) -> int:
        """Call ``observe`` for each callback that holds the loop over ``threshold`` s."""
        if threshold <= 0:
            raise ValueError(f"blocking threshold {threshold=} must be positive")
        with self._lock:
            token = next(self._tokens)
            self._observers[token] = (threshold, observe)
            self._record.threshold = min(t for t, _ in self._observers.values())
            return token

    def unsubscribe(self, token: int) -> int:
        """Stop telling the observer of ``token``; returns how many observers are left."""
        with self._lock:
            self._observers.pop(token, None)
            self._record.threshold = min((t for t, _ in self._observers.values()), default=_NEVER)
            return len(self._observers)

    def stop(self) -> None:
        """End the watch; a callback still over its threshold is delivered as unfinished."""
        if self._stopped.is_set():
            return
        step, threshold = self._record.step, self._record.threshold
        held = self._record.held(step) if step is not None else 0.0
        if step is not None and held > threshold and not _is_own(step[1]):
            exact = self._record.stacks.get(step[0])
            stack = traceback.StackSummary()
            self._deliver(Blocked("", held, describe(step[1]), stack, False, exact))
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
        _unwatch(self._record)
        if self._signalled:
            _give_signal_back()

    def _deliver(self, blocked: Blocked) -> None:
        seen = blocked.exact if blocked.exact is not None else blocked.stack
        if self._stopped.is_set() or (self.ignore is not None and self.ignore(seen)):
            return
        blocked = dataclasses.replace(blocked, where=self.where)
        with self._lock:
            due = [observe for t, observe in self._observers.values() if blocked.seconds > t]
        for observe in due:
            observe(blocked)

    def _run(self) -> None:
        """The watchdog (main-thread loops only): reads the record, and asks the main
        thread for its stack once a step is over the threshold."""
        assert _SIGNAL is not None
        record, main = self._record, threading.main_thread().ident
        while not self._stopped.wait(self.tick):
            step = record.step
            if step is None or step[0] == record.wanted:
                continue
            if record.held(step) <= record.threshold:
                continue
            record.wanted = step[0]
            if main is not None:
                signal.pthread_kill(main, _SIGNAL)


# -- one report per place in the code --------------------------------------------------------------
@dataclass
class _Site:
    first: Blocked
    threshold: float
    count: int = 1
    worst: float = 0.0
    exact: traceback.StackSummary | None = None


class BlockingSites:
    """Blocks grouped by where they happen: one problem per site, with how often and the
    worst duration (a loop blocked every second by the same line is one report)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._lock = threading.Lock()
        self._sites: dict[tuple[object, ...], _Site] = {}
        self._firsts: dict[int, tuple[object, ...]] = {}  # id(first problem) -> site

    def add(self, blocked: Blocked) -> MinerProblem | None:
        """Count ``blocked``; the site's problem if it is the first block there."""
        with self._lock:
            site = self._sites.get(blocked.site)
            if site is not None:
                site.count += 1
                site.worst = max(site.worst, blocked.seconds)
                site.exact = site.exact or blocked.exact
                return None
            site = _Site(blocked, self.threshold, 1, blocked.seconds, blocked.exact)
            self._sites[blocked.site] = site
            problem = _problem(site)
            self._firsts[id(problem)] = blocked.site
            return problem

    def current(self, problem: MinerProblem) -> MinerProblem:
        """``problem`` as its site stands now (count, worst), if it is a site's first."""
        with self._lock:
            key = self._firsts.get(id(problem))
            return problem if key is None else _problem(self._sites[key])

    def summary(self) -> list[str]:
        """One line per site: where, how often, the worst duration."""
        with self._lock:
            return [_summary_line(site) for site in self._sites.values()]


def _problem(site: _Site) -> MinerProblem:
    blocked = site.first
    times = (
        f"{site.count} times, worst {site.worst:.2f} s" if site.count > 1 else f"{site.worst:.2f} s"
    )
    message = (
        f"blocked for more than {site.threshold:.2f} s ({times}): code on it runs blocking "
        "calls (e.g. time.sleep) instead of awaiting"
    )
    if not blocked.finished:
        message += "; still blocked when the watch ended"
    stack = "".join(blocked.stack.format()).rstrip()
    if site.exact is not None:
        exact = "".join(site.exact.format()).rstrip()
        details = f"stack of the blocking call:\n{exact}"
    elif stack:
        details = (
            f"{blocked.callback} blocked; the blocking code ran before the innermost line "
            f"of where it stopped next:\n{stack}"
        )
    else:
        details = f"{blocked.callback} blocked"
    return MinerProblem("blocking", blocked.where, message, details)


def _summary_line(site: _Site) -> str:
    stack = site.exact or site.first.stack
    top = stack[-1] if stack else None
    place = f"{top.filename}:{top.lineno} in {top.name}" if top else site.first.callback
    return f"{site.first.where}: {place}: blocked {site.count} time(s), worst {site.worst:.2f} s"
