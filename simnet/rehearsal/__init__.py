"""Rehearsals: a subnet's own validators, for a few Yuma epochs on simnet's chain, against
its honest miner and adversarial miners and validators; what each strategy earned, as a
report, a table, JSON and an SVG chart, with live progress."""
