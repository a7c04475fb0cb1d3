"""A protocol whose synapses cannot be built: its validator raises TypeError, which pydantic
does not turn into a validation error."""

import bittensor as bt
import pydantic


class Unbuildable(bt.StreamingSynapse):
    text: str = ""

    @pydantic.model_validator(mode="after")
    def refuse(self):
        raise TypeError("this synapse cannot be made")

    async def process_streaming_response(self, response):
        yield b""

    def extract_response_json(self, response) -> dict:
        return {}
