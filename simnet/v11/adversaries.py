"""Adversarial miners for 11.x subnets: ASGI apps wrapping the subnet's own app (an ASGI
app such as FastAPI, or an ``aiohttp.web.Application``) that ``Network.serve`` takes
anywhere the app goes::

    net.serve(1, Replayer(create_app(wallet)), wallet)

Each answers the requests the app answers its own way; those that need honest answers ask
the app (:mod:`simnet.v11.upstream`). The app's own lifespan (startup, shutdown) runs as
it would unwrapped. Names and options are those of the 9.x/10.x miners; what reads the
chain takes the subnet's ``netuid`` (and the SDK's ``network`` name, ``"local"`` by
default) instead of a metagraph object, since 11.x reads the metagraph per call.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar

import httpx

from simnet.network.serving import check_app
from simnet.v11.auth import BtAuth
from simnet.v11.sdk import Client, http_auth
from simnet.v11.upstream import Answer, Receive, Request, Scope, Send, upstream
from simnet.wire import spoil

NOTHING = Answer(200, (), b"")
"""What a miner answering with nothing sends: 200 and an empty body."""

_NOT_FORWARDED = frozenset({"host", "content-length", "connection", "transfer-encoding"})


class AdversarialMiner:
    """An ASGI app answering the wrapped app's requests its own way (subclasses say how)."""

    strategy: ClassVar[str] = ""

    def __init__(self, app: Any) -> None:
        check_app(app)
        self.app = app
        self.upstream = upstream(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.upstream.lifespan(scope, receive, send)
        elif scope["type"] == "http":
            await self.respond(await Request.read(scope, receive), send)
        else:
            await self.app(scope, receive, send)

    async def respond(self, request: Request, send: Send) -> None:
        """Answer ``request`` (by default: :meth:`answer`'s whole response)."""
        await (await self.answer(request)).send(send)

    async def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    async def honest_answer(self, request: Request) -> Answer:
        """What the wrapped app answers to ``request``, whole."""
        return await self.upstream.answer(request)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.app!r})"


class Empty(AdversarialMiner):
    """Answers with nothing: 200 and an empty body, without asking the app."""

    strategy = "empty"

    async def answer(self, request: Request) -> Answer:
        return NOTHING


class Garbage(AdversarialMiner):
    """The honest answer with every value it carries (a JSON body's, each JSON event of a
    stream's, else its text) replaced by one of the same type no honest miner would give
    (seeded)."""

    strategy = "garbage"

    def __init__(self, app: Any, *, seed: int = 0) -> None:
        super().__init__(app)
        self._rng = random.Random(seed)

    async def answer(self, request: Request) -> Answer:
        honest = await self.honest_answer(request)
        body = spoil.body(honest.body, honest.content_type, lambda v: spoil.garbage(v, self._rng))
        return honest.with_body(body)


class Oversized(AdversarialMiner):
    """The honest answer with every value it carries grown to about ``size`` bytes."""

    strategy = "oversized"

    def __init__(self, app: Any, *, size: int = 1 << 20) -> None:
        super().__init__(app)
        self.size = size

    async def answer(self, request: Request) -> Answer:
        honest = await self.honest_answer(request)
        body = spoil.body(honest.body, honest.content_type, lambda v: spoil.oversized(v, self.size))
        return honest.with_body(body)


class Replayer(AdversarialMiner):
    """Answers the first request of each method and path honestly, and every later one
    with that first answer."""

    strategy = "replayer"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._cached: dict[tuple[str, str], Answer] = {}

    async def answer(self, request: Request) -> Answer:
        key = (request.scope["method"], request.scope["path"])
        if key not in self._cached:
            self._cached[key] = await self.honest_answer(request)
        return self._cached[key]


class LastSecond(AdversarialMiner):
    """The honest answer, held and sent ``margin`` seconds before the validator's
    ``timeout`` runs out, counted from the request's arrival (an 11.x request does not
    carry the timeout: give the subnet's)."""

    strategy = "last-second"

    def __init__(self, app: Any, *, timeout: float, margin: float = 0.2) -> None:
        super().__init__(app)
        self.timeout = timeout
        self.margin = margin

    async def answer(self, request: Request) -> Answer:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout - self.margin
        honest = await self.honest_answer(request)
        await asyncio.sleep(max(0.0, deadline - loop.time()))
        return honest


async def _metagraph(network: str, netuid: int) -> Any:
    async with Client(network) as client:
        metagraph = await client.subnets.metagraph(netuid)
    if metagraph is None:
        raise LookupError(f"subnet {netuid} does not exist on {network!r}")
    return metagraph


class ValidatorDetector(AdversarialMiner):
    """Answers callers holding a validator permit on ``netuid`` as the app does (streamed)
    and everyone else with nothing. The caller is the btauth/1 hotkey header, as sent:
    the adversary does not verify it (the app behind it still does)."""

    strategy = "validator-detector"

    def __init__(self, app: Any, *, netuid: int, network: str = "local") -> None:
        super().__init__(app)
        self.netuid = netuid
        self.network = network

    async def _permitted(self, hotkey: str | None) -> bool:
        neurons = (await _metagraph(self.network, self.netuid)).neurons
        return any(n.hotkey == hotkey and n.validator_permit for n in neurons)

    async def respond(self, request: Request, send: Send) -> None:
        if await self._permitted(request.header(http_auth.HEADER_HOTKEY)):
            await self.upstream.stream(request, send)
        else:
            await NOTHING.send(send)


class Copier(AdversarialMiner):
    """Asks ``ask`` other serving miners of ``netuid`` (those the last epoch paid most,
    then the lowest uids) the same request, signed with its own ``wallet``, and answers
    with their most common 200 answer, never computing one itself; ``skip`` are hotkeys it
    does not ask (its fellow copiers). It waits at most ``timeout`` seconds."""

    strategy = "copier"

    def __init__(
        self,
        app: Any,
        *,
        wallet: Any,
        netuid: int,
        skip: Iterable[str] = (),
        ask: int = 3,
        timeout: float = 2.0,
        network: str = "local",
    ) -> None:
        super().__init__(app)
        self.wallet = wallet
        self.netuid = netuid
        self.skip = set(skip) | {wallet.hotkey.ss58_address}
        self.ask = ask
        self.timeout = timeout
        self.network = network

    async def sources(self) -> list[Any]:
        """The neurons it asks: the best paid serving miners it does not skip."""
        neurons = (await _metagraph(self.network, self.netuid)).neurons
        serving = [n for n in neurons if n.axon and n.hotkey not in self.skip]
        serving.sort(key=lambda n: (-float(n.incentive), n.uid))
        return serving[: self.ask]

    async def answer(self, request: Request) -> Answer:
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in request.scope["headers"]
            if k.decode("latin-1") not in _NOT_FORWARDED and not k.startswith(b"x-bittensor-")
        ]
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            heard = await asyncio.gather(
                *(self._ask(http, n, request, headers) for n in await self.sources()),
                return_exceptions=True,
            )
        answers = [a for a in heard if isinstance(a, Answer) and a.status == 200]
        if not answers:
            return NOTHING
        best = Counter(a.body for a in answers).most_common(1)[0][0]
        return next(a for a in answers if a.body == best)

    async def _ask(
        self, http: httpx.AsyncClient, neuron: Any, request: Request, headers: list[Any]
    ) -> Answer:
        response = await http.request(
            request.scope["method"],
            f"http://{neuron.axon}{request.target}",
            content=request.body,
            headers=headers,
            auth=BtAuth(self.wallet, neuron.hotkey),
        )
        raw = tuple((k.lower(), v) for k, v in response.headers.raw)
        decoded = tuple((k, v) for k, v in raw if k != b"content-encoding")  # httpx decoded it
        return Answer(response.status_code, decoded, response.content)


ADVERSARIAL_MINERS: dict[str, type[AdversarialMiner]] = {
    cls.strategy: cls
    for cls in (Copier, Replayer, LastSecond, Empty, Garbage, Oversized, ValidatorDetector)
}
"""The 11.x adversarial miners by strategy name (the 9.x/10.x names)."""
