"""A specimen that parses exactly as the seed tutorial's protocol does, defects included.

Like text-prompting's protocol it also accumulates the streamed tokens in
``completion``. simnet's properties must report each of its defects.
"""

import bittensor as bt
import pydantic


class TutorialStreamPrompting(bt.StreamingSynapse):
    roles: list[str] = pydantic.Field(default_factory=list, frozen=True)
    messages: list[str] = pydantic.Field(..., frozen=True)
    completion: str = ""

    def deserialize(self) -> str:
        return self.completion

    async def process_streaming_response(self, response):
        # Defects: decodes each chunk on its own (a UTF-8 character split across chunks
        # raises), and never looks at response.status (an error body becomes content).
        async for chunk in response.content.iter_any():
            tokens = chunk.decode("utf-8").split("\n")
            self.completion += "".join(tokens)
            yield tokens

    def extract_response_json(self, response) -> dict:
        headers = {
            k.decode("utf-8"): v.decode("utf-8") for k, v in response.__dict__["_raw_headers"]
        }

        def extract_info(prefix):
            # Defect: keeps only the last "_"-separated word: status_code -> code.
            return {
                key.split("_")[-1]: value
                for key, value in headers.items()
                if key.startswith(prefix)
            }

        return {
            "name": headers.get("name", ""),
            # Defect: a malformed number raises a bare ValueError naming no header.
            "timeout": float(headers.get("timeout", 0)),
            "total_size": int(headers.get("total_size", 0)),
            "header_size": int(headers.get("header_size", 0)),
            "dendrite": extract_info("bt_header_dendrite"),
            "axon": extract_info("bt_header_axon"),
            "messages": self.messages,
        }


class TutorialWithHeaderNamesFixed(TutorialStreamPrompting):
    """The specimen with its header *names* handled right (case-insensitive, full field
    names, values decoded as aiohttp does), so that only its number parsing is left."""

    def extract_response_json(self, response) -> dict:
        headers = {k.lower(): v for k, v in reversed(list(response.headers.items()))}

        def extract_info(prefix):
            return {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}

        return {
            "name": headers.get("name", ""),
            "timeout": float(headers.get("timeout", 0)),
            "total_size": int(headers.get("total_size", 0)),
            "header_size": int(headers.get("header_size", 0)),
            "dendrite": extract_info("bt_header_dendrite_"),
            "axon": extract_info("bt_header_axon_"),
            "messages": self.messages,
        }
