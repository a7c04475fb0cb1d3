"""The subnet's platform API: the briefs to send miners, and the grading of answers.

Validators read briefs with aiohttp and send answers to be graded with httpx, as real
subnets mix clients. Offline, simnet's stubs file answers for the host.
"""

import os

import aiohttp
import httpx

API = os.environ.get("BRIEFS_API", "https://api.briefs-subnet.example")


def _headers() -> dict:
    return {"Authorization": f"Bearer {os.environ.get('BRIEFS_API_KEY', 'none')}"}


async def fetch_briefs(limit: int = 4) -> list:
    """The briefs to send out now: ``[{"id": ..., "prompt": ...}, ...]``."""
    async with aiohttp.ClientSession(headers=_headers()) as session:
        async with session.get(f"{API}/v1/briefs", params={"limit": limit}) as response:
            response.raise_for_status()
            return await response.json()


async def grade(brief_id: str, answers: list) -> list:
    """The platform's score (0..1) of each answer to ``brief_id``, in order."""
    async with httpx.AsyncClient(timeout=10, headers=_headers()) as client:
        response = await client.post(
            f"{API}/v1/grade", json={"brief_id": brief_id, "answers": answers}
        )
        response.raise_for_status()
        return response.json()["scores"]
