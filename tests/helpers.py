"""Helpers the test suites of both stacks share: what a run may leave behind (threads,
sockets, open event loops), and running the ``simnet`` command as a user would."""

import asyncio
import contextlib
import gc
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path


def socket_fds() -> set[str]:
    fds = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                fds.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return fds


def open_loops() -> list[asyncio.AbstractEventLoop]:
    gc.collect()
    return [
        o
        for o in gc.get_objects()
        if isinstance(o, asyncio.AbstractEventLoop) and not o.is_closed()
    ]


@contextlib.contextmanager
def nothing_left_behind() -> Iterator[None]:
    """Fail unless the block leaves no new thread, socket or open event loop."""
    threads_before = set(threading.enumerate())
    sockets_before = socket_fds()
    loops_before = set(map(id, open_loops()))
    yield
    new_threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert new_threads == []
    assert socket_fds() - sockets_before == set()
    assert [loop for loop in open_loops() if id(loop) not in loops_before] == []


def simnet_command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m simnet ARGS`` in ``cwd``, as a CI job runs it (no terminal, 200 columns)."""
    return subprocess.run(
        [sys.executable, "-m", "simnet", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "SIMNET_HYPOTHESIS_PROFILE": "simnet-dev"},
    )


def assert_the_one_served_handle(served, transport: str) -> None:
    """``served`` (what either stack's ``serve`` returns) has the one handle's API."""
    from simnet.faults import FaultPlan, Latency
    from simnet.network.serving import ServedMiner

    assert isinstance(served, ServedMiner)
    assert served.transport == transport
    assert served.url == f"http://127.0.0.1:{served.port}"
    assert served.listen_address == ("127.0.0.1", served.port)
    plan = served.inject(Latency(0.01))
    assert isinstance(plan, FaultPlan)
    assert served.faults == served.plans == [plan]
    served.clear_faults()
    assert served.plans == []
    served.stop()
    served.stop()
    assert not served.running
    assert repr(served).endswith("stopped)")
