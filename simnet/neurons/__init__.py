"""The bittensor neuron stack on simnet: served axons, miner handlers, dendrites,
registrations, the 9.x/10.x subtensor doubles that speak bittensor's types over the shared
chain, and :class:`~simnet.Simnet`, which ties chain, network and neurons together."""
