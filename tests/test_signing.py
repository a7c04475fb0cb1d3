"""The legacy dendrite headers simnet signs (for 11.x miners that still accept 10.x
validators) pass a real 10.x Axon's own verification."""

import aiohttp
import pytest

from miner import Miner
from protocol import StreamPrompting
from simnet.wire.signing import dendrite_headers

pytestmark = pytest.mark.simnet(transport=["tcp", "memory"])


@pytest.mark.asyncio
async def test_legacy_dendrite_headers_pass_a_real_axons_verification(
    simnet, simnet_serve, simnet_validator, simnet_metagraph
):
    served = simnet_serve(lambda ctx: Miner(ctx.wallet, ctx.metagraph))
    axon = simnet_metagraph.axons[served.uid]
    synapse = StreamPrompting(roles=["user"], messages=["hello there"])
    fields = synapse.model_dump()
    headers = dendrite_headers(
        simnet_validator.wallet,
        target="/StreamPrompting",
        receiver=axon.hotkey,
        hashed=[fields[name] for name in StreamPrompting.required_hash_fields],
    )
    async with (
        aiohttp.ClientSession(connector=simnet.connector()) as session,
        session.post(
            f"http://{axon.ip}:{axon.port}/StreamPrompting",
            data=synapse.model_dump_json(),
            # the synapse's own headers, as a dendrite adds them, then the signed ones
            headers={**synapse.to_headers(), **headers, "Content-Type": "application/json"},
        ) as response,
    ):
        body = await response.text()
    assert response.status == 200, body
    assert body == "hello there"
