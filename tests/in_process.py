"""``simnet ARGS`` run inside the test process, as ``python -m simnet ARGS`` would run it in a
fresh one (``tests.helpers.simnet_command``), without paying a Python start and an
``import bittensor`` per call.

A fresh process sees no module a test imported from the repository or a ``tmp_path`` (a
``protocol`` of one and a ``protocol`` of the other), the default warning filters (not
pytest's ``error``), its own environment, working directory, ``sys.path`` and
``sys.argv``. The run leaves nothing behind for a later test of the same worker: each of
those, the modules the command imported from outside the libraries, bittensor's logging
state and every logger's level, hypothesis's loaded profile and simnet's chosen one,
rich's global console and the signal handlers are put back as they were; a command that
leaves a thread running or a socket open fails the call (run it as a subprocess instead).
Exit handlers are not undone: simnet registers one, once per process (the shared wallet
directory's clean-up); a library imported first during the call may, as at any import.

What it cannot show is process-level: what the interpreter prints while importing
bittensor, the ``simnet`` script itself, exit at interpreter shutdown, Ctrl-C; output
written to the file descriptors directly, or by handlers made before the call
(bittensor's logger writes to the stdout it found at import), is not captured. Tests of
those keep the subprocess; so do ``simnet run`` and ``record`` (they set signal handlers
and start the neuron as a child).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import signal
import subprocess
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Literal

import simnet
from tests.helpers import socket_fds

CI_ENV = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "SIMNET_HYPOTHESIS_PROFILE": "simnet-dev"}
"""The environment ``simnet_command`` gives its process: no terminal, 200 columns."""

_LIBRARIES = tuple(
    {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    | {Path(simnet.__file__).resolve().parent}
)

# A fresh interpreter's filters (the "Default Warning Filter" of the warnings docs).
_DEFAULT_FILTERS: tuple[tuple[Literal["default", "ignore"], type[Warning], str], ...] = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)


def simnet_in_process(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``simnet ARGS`` in ``cwd`` with ``env`` (default: :data:`CI_ENV`), in this process;
    the exit code and what it printed, as ``subprocess.run`` returns them."""
    out, err = io.StringIO(), io.StringIO()
    with _as_a_fresh_process(Path(cwd), dict(CI_ENV if env is None else env), args):
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = _exit_code(args)
    return subprocess.CompletedProcess(["simnet", *args], code, out.getvalue(), err.getvalue())


def _exit_code(args: tuple[str, ...]) -> int:
    from simnet.cli import main

    try:
        return main(list(args))
    except SystemExit as exc:  # argparse's usage errors, or a command's sys.exit
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except Exception:  # as the interpreter reports an uncaught exception
        traceback.print_exc()
        return 1


@contextlib.contextmanager
def _as_a_fresh_process(cwd: Path, env: dict[str, str], args: tuple[str, ...]) -> Iterator[None]:
    threads, sockets = set(threading.enumerate()), socket_fds()
    with contextlib.ExitStack() as restore:
        restore.enter_context(_own_modules())
        restore.enter_context(_process_globals(cwd, env, args))
        restore.enter_context(_logging_state())
        restore.enter_context(_hypothesis_profiles())
        restore.enter_context(_signal_handlers_and_rich())
        restore.enter_context(warnings.catch_warnings())
        warnings.resetwarnings()
        for action, category, module in reversed(_DEFAULT_FILTERS):
            warnings.filterwarnings(action, category=category, module=module)
        warnings.showwarning = warnings._showwarning_orig  # type: ignore[attr-defined]
        yield
    left = [t for t in threading.enumerate() if t not in threads | _logging_threads()]
    for thread in left:  # rich's refresh thread ends at its next tick after a stop
        thread.join(timeout=1)
    left = [t for t in left if t.is_alive()]
    assert left == [], f"simnet {' '.join(args)} left threads running: {left}"
    assert socket_fds() - sockets == set(), f"simnet {' '.join(args)} left sockets open"


def _logging_threads() -> set[threading.Thread]:
    """bittensor's logging machinery: the listener a state change restarts, and the feeder
    of its multiprocessing queue (started at the first record); the test process has them
    whether or not it runs a command."""
    import bittensor

    listener = getattr(getattr(bittensor, "logging", None), "_listener", None)
    return {
        t
        for t in threading.enumerate()
        if t is getattr(listener, "_thread", None) or t.name == "QueueFeederThread"
    }


def _users(module: ModuleType) -> bool:
    """Whether ``module`` is a user's (a subnet's, a test's), not a library's or simnet's."""
    where = getattr(module, "__file__", None)
    paths = [where] if where else list(getattr(module, "__path__", []) or [])
    return bool(paths) and not any(map(_library_dir, paths))  # no path: built in, frozen


@contextlib.contextmanager
def _own_modules() -> Iterator[None]:
    """The command imports the user's modules afresh; afterwards the test's are back and
    the command's are gone (library modules it imported first stay: a second copy of a
    library module would be a second copy of its classes)."""
    hidden = {name: m for name, m in list(sys.modules.items()) if _users(m)}
    for name in hidden:
        del sys.modules[name]
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if _users(module):
                del sys.modules[name]
        sys.modules.update(hidden)


@contextlib.contextmanager
def _process_globals(cwd: Path, env: dict[str, str], args: tuple[str, ...]) -> Iterator[None]:
    environ, path, argv, here = dict(os.environ), list(sys.path), list(sys.argv), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    # python -m: the working directory first, then the interpreter's own path.
    sys.path[:] = [str(cwd.resolve()), *(p for p in path if _library_dir(p))]
    sys.argv[:] = [str(Path(simnet.__file__).parent / "__main__.py"), *args]
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(here)
        sys.argv[:] = argv
        sys.path[:] = path
        os.environ.clear()
        os.environ.update(environ)


def _library_dir(entry: str) -> bool:
    """Whether ``entry`` (a file or a ``sys.path`` directory) lies in the interpreter's own
    libraries or simnet; a relative one is the working directory, a user's."""
    return os.path.isabs(entry) and _under_libraries(entry)


@functools.cache
def _under_libraries(entry: str) -> bool:
    resolved = Path(entry).resolve()
    return any(resolved.is_relative_to(lib) for lib in _LIBRARIES)


@contextlib.contextmanager
def _logging_state() -> Iterator[None]:
    """Every logger's level, handlers and switches, and bittensor's logging state (simnet
    fuzz turns it off). During the call the root logger has no handler, as in a fresh
    process: what reaches it goes to the captured stderr, not to pytest's log capture."""
    import bittensor

    machine = getattr(bittensor, "logging", None)
    state = getattr(machine, "current_state_value", None)
    manager = logging.root.manager
    loggers = [logging.root] + [
        lg for lg in list(manager.loggerDict.values()) if isinstance(lg, logging.Logger)
    ]
    saved = {lg: (lg.level, list(lg.handlers), lg.disabled, lg.propagate) for lg in loggers}
    disable = manager.disable
    logging.root.handlers[:] = []  # a fresh process's root has none (pytest's capture)
    try:
        yield
    finally:
        if machine is not None and state is not None and machine.current_state_value != state:
            event = "disable_logging" if state == "Disabled" else f"enable_{state.lower()}"
            getattr(machine, event)()
        for lg, (level, handlers, disabled, propagate) in saved.items():
            lg.setLevel(level)
            lg.handlers[:] = handlers
            lg.disabled, lg.propagate = disabled, propagate
        logging.disable(disable)


@contextlib.contextmanager
def _hypothesis_profiles() -> Iterator[None]:
    from hypothesis import settings

    from simnet.fuzz import profiles

    current = settings._current_profile
    chosen = profiles._chosen
    try:
        yield
    finally:
        profiles._chosen = chosen
        if current is not None and settings._current_profile != current:
            settings.load_profile(current)


@contextlib.contextmanager
def _signal_handlers_and_rich() -> Iterator[None]:
    import rich

    handlers = {s: signal.getsignal(s) for s in signal.valid_signals()}
    console = rich._console
    try:
        yield
    finally:
        rich._console = console
        for number, handler in handlers.items():
            if handler is not None and signal.getsignal(number) is not handler:
                signal.signal(number, handler)
