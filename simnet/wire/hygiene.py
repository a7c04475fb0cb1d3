"""Miner hygiene: what a miner does wrong on the axon side, caught and handed to the test.

* Exceptions raised by ``forward``, ``blacklist``, ``priority`` or the token streamer
  (the axon turns them into a 500 and a log line; simnet records them).
* ASGI protocol violations by the token streamer: a body with ``more_body: False``
  (BTStreamingResponse sends the last one itself), a message that is not a body.
* (``simnet.wire.blocking``: an event loop held by blocking code, e.g. ``time.sleep``
  inside an async token streamer.)
"""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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


def reporting_handler(handler: Callable[[Any], Any], where: str, report: Report) -> Any:
    """An aiohttp request handler reporting the exceptions that escape ``handler`` (as
    :class:`AppErrorReporter` does for an ASGI app); an ``HTTPException`` is an answer,
    not an error."""
    from aiohttp import web

    async def handle(request: Any) -> Any:
        try:
            return await handler(request)
        except Exception as exc:
            if not isinstance(exc, web.HTTPException) and not _injected(exc):
                report(_exception_problem(f"{where} {request.path}", exc))
            raise

    return handle
