"""Fuzzing ``StreamingSynapse`` protocols and streaming readers, with no chain and no
network: strategies and what a property draws, the properties (chunking invariance, the
header contract and the header variations it applies, error bodies, yields, round trip),
the response double and what the real dendrite makes of a response, sample bodies,
running and reporting, hypothesis profiles, loading targets, replay snippets and pytest
items."""
