"""A stateful fake of the platform's API for offline tests (served by simnet's stubs)."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BRIEFS = [
    {"id": "b-1", "prompt": "the quick brown fox"},
    {"id": "b-2", "prompt": "jumps over the lazy dog"},
]
graded: list = []  # what validators sent to be graded, in order


async def briefs(request: Request) -> JSONResponse:
    return JSONResponse(BRIEFS[: int(request.query_params.get("limit", len(BRIEFS)))])


async def grade(request: Request) -> JSONResponse:
    body = await request.json()
    (brief,) = [b for b in BRIEFS if b["id"] == body["brief_id"]]
    expected = " ".join(reversed(brief["prompt"].split()))
    graded.append(body)
    return JSONResponse({"scores": [1.0 if a == expected else 0.0 for a in body["answers"]]})


app = Starlette(routes=[Route("/v1/briefs", briefs), Route("/v1/grade", grade, methods=["POST"])])
