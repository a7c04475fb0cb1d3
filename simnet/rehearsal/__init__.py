"""Rehearsals: a subnet's own validators, for a few Yuma epochs on simnet's chain, against
its honest miner and adversarial miners and validators; what each strategy earned."""
