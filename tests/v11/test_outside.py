"""A bittensor 11.x validator's own HTTP calls to its platform, answered by a stubs file
(aiohttp and httpx, over HTTPS), and refused without it."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import httpx
import pytest

from simnet.v11 import Network

STUBS = """
[hosts."api.briefs-subnet.example"]
routes = [
    { method = "GET", path = "/v1/briefs", json = [{ id = "b-1", prompt = "one two" }] },
    { method = "POST", path = "/v1/grade", json = { scores = [1.0] } },
]
"""
API = "https://api.briefs-subnet.example"


async def _validators_calls() -> tuple[list[dict], list[float]]:
    async with aiohttp.ClientSession() as session, session.get(f"{API}/v1/briefs") as response:
        briefs = await response.json()
    async with httpx.AsyncClient() as client:
        graded = await client.post(f"{API}/v1/grade", json={"answers": ["two one"]})
    return briefs, graded.json()["scores"]


@pytest.mark.asyncio
async def test_a_validators_platform_calls_reach_the_stubs(tmp_path: Path) -> None:
    stubs = tmp_path / "outside.toml"
    stubs.write_text(STUBS)
    with Network(outside=stubs):
        briefs, scores = await _validators_calls()
    assert briefs == [{"id": "b-1", "prompt": "one two"}]
    assert scores == [1.0]


@pytest.mark.asyncio
async def test_without_the_stubs_the_platform_is_refused() -> None:
    with Network(strict=False) as net:
        with pytest.raises((aiohttp.ClientError, OSError)):
            await _validators_calls()
        assert any("api.briefs-subnet.example" in v for v in net.offline_violations)
