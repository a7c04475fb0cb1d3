"""What happens between an axon and its callers: response headers and error bodies as a
real axon sends them (``headers``), request signatures that need no bittensor
(``signing``: Epistula v2, a 9.x/10.x dendrite's headers), fault plans and the layers
applying them (``faults``, ``injector``), miner hygiene (``hygiene``: exceptions, ASGI
misuse; ``blocking``: blocked event loops), and bittensor's per-class header schema
computed once (``speedups``)."""
