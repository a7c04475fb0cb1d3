"""A plain (non-streaming) synapse and its forward, for tests of whole neurons."""

import bittensor as bt


class Echo(bt.Synapse):
    text: str = ""
    reply: str = ""


def echo_forward(synapse: Echo) -> Echo:
    synapse.reply = synapse.text
    return synapse
