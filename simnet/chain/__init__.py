"""The simulated chain both stacks share: the state (``state``, sqlite), the chain's rules
(``rules``), hyperparameters (``hyperparams``), block hashes and where epochs fall
(``blocks``), Yuma epochs (``yuma``, ``epochs``), uid replacement (``pruning``),
commit-reveal (``reveal``), commitments (``commitments``), and chain faults with the one
``NotSimulated`` (``faults``). It speaks plain Python values and imports nothing of
either stack: the neuron stack's subtensor doubles (:mod:`simnet.neurons.subtensor`) and
the 11.x ``Substrate`` double (:mod:`simnet.v11.substrate`) translate it into their SDK's
types."""
