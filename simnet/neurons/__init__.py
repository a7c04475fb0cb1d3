"""The bittensor neuron stack on simnet: served axons, miner handlers, dendrites,
registrations and :class:`~simnet.Simnet`, which ties chain, network and neurons together."""
