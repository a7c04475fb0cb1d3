"""A stateful fake of an outside API, as a subnet team would write one (any ASGI app)."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SCORES: list[dict] = []


async def post_score(request: Request) -> JSONResponse:
    SCORES.append(await request.json())
    return JSONResponse({"stored": len(SCORES)}, status_code=201)


async def list_scores(request: Request) -> JSONResponse:
    return JSONResponse(SCORES)


app = Starlette(
    routes=[Route("/scores", post_score, methods=["POST"]), Route("/scores", list_scores)]
)
