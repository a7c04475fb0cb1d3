"""What a test run may leave behind: sockets and open event loops (threads are compared
with ``threading.enumerate()`` directly)."""

import asyncio
import gc
import os


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
