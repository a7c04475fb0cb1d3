"""The bittensor neuron stack (9.x/10.x) on simnet: served axons, miner handlers,
dendrites, registrations and the subnet builder, the subtensor doubles and chain-data
objects that speak bittensor's types over the shared chain, :class:`~simnet.Simnet`,
which ties chain, network and neurons together, bittensor's constructors redirected to
it, the two-terminal network over a state file, ``simnet run`` and neuron processes for
tests, attacks with real keys and canned axon answers."""
