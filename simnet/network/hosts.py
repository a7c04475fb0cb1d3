"""Host processes: the miners' servers spread over child processes, one event loop each
(``Simnet(hosts=N)``), so a fan-out uses every core instead of one thread's GIL.

What is generic lives here: reading the ``hosts`` setting, starting and stopping the
children (multiprocessing's ``spawn`` context: the parent has threads, so no ``fork``;
and a ``forkserver`` would outlive the network, and on Python 3.11 preloads modules
from a ``sys.path`` other than the parent's),
requests to a child and its replies over one pipe, and the :class:`RemoteServer` a
served handle stops. What a child runs (building a stack's miners) is the stack's: its
entry function is passed in.

A child never outlives its parent's network: :meth:`HostProcesses.close` asks each to
exit, then terminates and kills what is left; a child whose parent died sees its pipe
close and exits; the children ignore SIGINT (Ctrl-C reaches the parent, whose teardown
stops them) and are daemonic (multiprocessing terminates them at the parent's exit).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import multiprocessing
import os
import pickle
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from simnet.network.transports import Listener

HOSTS_OFF = 0
_EXIT_TIMEOUT = 15.0
_REPLY_TIMEOUT = 60.0

Notify = Callable[[str, tuple[Any, ...]], None]
"""Called (from a reader thread) with what a child tells unasked: a kind and its values."""


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_hosts(value: object, *, setting: str = "hosts") -> int:
    """The number of host processes ``value`` asks for: 0 (off) for ``None``, ``0``,
    ``"off"`` or ``""``; the CPU count for ``"auto"``; else a positive integer no larger
    than the CPU count. Otherwise a ``ValueError``, one line naming ``setting``."""
    if value is None or value in ("", "off", "0") or (type(value) is int and value == 0):
        return HOSTS_OFF
    cores = cpu_count()
    if value == "auto":
        return cores
    number = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if type(number) is not int or number < 1:
        raise ValueError(f"{setting}={value!r} must be a positive integer, 'auto' or None (off)")
    if number > cores:
        raise ValueError(f"{setting}={value!r} is more than this machine's {cores} CPU(s)")
    return number


def check_sendable(value: object, what: str, setting: str) -> None:
    """A ``TypeError``, one line naming ``what`` and ``setting``, unless ``value`` can be
    sent to a host process (pickled: module-level functions and classes, plain data)."""
    try:
        pickle.dumps(value)
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TypeError(
            f"{setting}: cannot send {what} to a host process ({reason}); define it at module "
            "level, or serve it without host processes"
        ) from None


_PATH_LOCK = threading.Lock()
_SIMNET_ROOT = str(Path(__file__).resolve().parents[2])


@contextlib.contextmanager
def _simnet_first_on_path() -> Iterator[None]:
    """A child imports the simnet this process runs, even when this process found it
    through ``""`` on ``sys.path`` (a source checkout) and has since changed directory
    (pytester does): multiprocessing hands the child ``sys.path`` and the current
    directory as they are when it starts."""
    with _PATH_LOCK:
        if _SIMNET_ROOT in sys.path:
            yield
            return
        sys.path.insert(0, _SIMNET_ROOT)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):
                sys.path.remove(_SIMNET_ROOT)


def next_request(conn: Any) -> tuple[int, str, bytes] | None:
    """In a child: the parent's next request (its number, command and pickled arguments),
    or ``None`` once the parent is gone."""
    try:
        number, command, payload = conn.recv()
    except (EOFError, OSError):
        return None
    return number, command, payload


def sendable_error(exc: BaseException) -> BaseException:
    """``exc`` if it survives the trip to the parent (pickled and unpickled), else a
    ``RuntimeError`` with its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


class HostProcess:
    """One child process and the pipe to it: :meth:`request` sends a command and returns
    a future of its reply; what the child tells unasked goes to ``notify``."""

    def __init__(
        self, target: Callable[..., None], args: tuple[Any, ...], *, name: str, notify: Notify
    ) -> None:
        # spawn: the parent has threads (so no fork), and a forkserver outlives the network
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe()
        self.name = name
        self.process = context.Process(
            target=target, args=(child_end, *args), name=name, daemon=True
        )
        with _simnet_first_on_path():
            self.process.start()
        child_end.close()
        self._notify = notify
        self._send_lock = threading.Lock()
        self._pending: dict[int, concurrent.futures.Future[Any]] = {}
        self._ids = itertools.count()
        self._to_stop: list[int] = []
        self._stopping: dict[int, concurrent.futures.Future[Any]] = {}
        self._reader = threading.Thread(target=self._read, name=f"{name}-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def request(self, command: str, *args: Any) -> concurrent.futures.Future[Any]:
        """Send ``command`` with ``args``; the future holds the child's reply (or its error)."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        # the arguments travel pickled inside the message, so a child that cannot unpickle
        # them (a module it cannot import) replies with that error under this number
        payload = pickle.dumps(args)
        with self._send_lock:
            number = next(self._ids)
            self._pending[number] = future
            try:
                self._conn.send((number, command, payload))
                sent = True
            except (OSError, ValueError):
                self._pending.pop(number, None)
                sent = False
        if not sent:
            future.set_exception(self._gone())
        return future

    def stop_later(self, key: int) -> None:
        """Stop server ``key`` with the others asked for before the next :meth:`stopped`
        (a host process stops its servers together: one uvicorn pause for all)."""
        with self._send_lock:
            self._to_stop.append(key)

    def stopped(self, key: int) -> concurrent.futures.Future[Any]:
        """The future of server ``key``'s stop (sending the stops asked for so far)."""
        with self._send_lock:
            batch, self._to_stop = self._to_stop, []
        if batch:
            future = self.request("stop", batch)
            with self._send_lock:
                self._stopping.update(dict.fromkeys(batch, future))
        with self._send_lock:
            return self._stopping.pop(key)

    def call(self, command: str, *args: Any, timeout: float = _REPLY_TIMEOUT) -> Any:
        """:meth:`request` and wait for the reply."""
        return self.request(command, *args).result(timeout)

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "reply":
                _, number, ok, value = message
                future = self._pending.pop(number, None)
                if future is not None:
                    (future.set_result if ok else future.set_exception)(value)
            else:
                try:
                    self._notify(message[0], message[1:])
                except Exception:  # the user's reporter or on_record: theirs to see
                    print(f"simnet: a callback for {self.name} raised:", file=sys.stderr)
                    traceback.print_exc()
        with self._send_lock:
            pending, self._pending = self._pending, {}
        for future in pending.values():
            future.set_exception(self._gone())

    def _gone(self) -> RuntimeError:
        self.process.join(0.5)
        code = self.process.exitcode
        how = f"exited with code {code}" if code is not None else "stopped answering"
        return RuntimeError(f"host process {self.name} (pid {self.pid}) {how}")

    def close(self, timeout: float = _EXIT_TIMEOUT) -> None:
        """Ask the child to exit, then terminate and kill it if it has not. Idempotent."""
        if self.process.is_alive():
            try:
                self.request("exit").result(timeout)
            except Exception:
                pass  # terminated below
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._reader.join()  # the child's end is closed: its read ends, then the pipe is ours
        self._conn.close()
        self.process.close()


class HostProcesses:
    """``count`` children running ``target(conn, settings, index)``, started at once (they
    import in parallel with what the parent does meanwhile). Miners go to them in turn
    (:meth:`next`)."""

    def __init__(
        self, count: int, target: Callable[..., None], settings: Any, *, notify: Notify
    ) -> None:
        self.processes: list[HostProcess] = []
        self._turn = itertools.count()
        try:
            for index in range(count):
                self.processes.append(
                    HostProcess(
                        target, (settings, index), name=f"simnet-host-{index}", notify=notify
                    )
                )
        except BaseException:
            self.close()
            raise

    def next(self) -> HostProcess:
        """The child whose turn it is to host the next miner."""
        return self.processes[next(self._turn) % len(self.processes)]

    @property
    def pids(self) -> list[int]:
        return [pid for process in self.processes if (pid := process.pid) is not None]

    def close(self) -> None:
        """Stop every child (together). Idempotent."""
        processes, self.processes = self.processes, []
        for process in processes:
            if process.process.is_alive():
                process.request("exit")
        for process in processes:
            process.close()


class RemoteListener(Listener):
    """Where a server in a host process listens: a port on 127.0.0.1 (the host process
    accepts on it and gives it back)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def accept(
        self, loop: asyncio.AbstractEventLoop, make_protocol: Callable[[], asyncio.Protocol]
    ) -> None:
        return None

    def refuse(self) -> None:
        return None

    def close(self) -> None:
        return None


class RemoteServer:
    """A server running in a host process, known by its ``key`` there (the parent's side
    of :class:`~simnet.network.servers.Server`)."""

    def __init__(self, process: HostProcess, key: int, port: int) -> None:
        self.process = process
        self.key = key
        self.listener: Listener = RemoteListener(port)
        self._asked = False

    def request_stop(self) -> None:
        if not self._asked:
            self._asked = True
            self.process.stop_later(self.key)

    def wait(self) -> None:
        self.request_stop()
        try:
            self.process.stopped(self.key).result(_EXIT_TIMEOUT)
        except RuntimeError:
            if self.process.process.is_alive():
                raise  # a child that has exited stopped its servers with it
