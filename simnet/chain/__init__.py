"""The simulated chain both stacks share: the state (sqlite), the chain's rules, hyperparameters,
Yuma epochs, uid replacement, commit-reveal, commitments and chain faults. It speaks plain
Python values and imports nothing of either stack: the neuron stack's subtensor doubles
(:mod:`simnet.neurons.subtensor`) and the 11.x ``Substrate`` double (:mod:`simnet.v11.substrate`)
translate it into their SDK's types."""
