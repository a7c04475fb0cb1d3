"""Where served apps run and how clients reach them: the axon host's thread and loop, the
one serving pipeline and served handle of both stacks, the servers (uvicorn, aiohttp) and
the transports (TCP on 127.0.0.1, in memory) as objects, with the in-memory connections
under aiohttp and httpx; and what every network shares, whichever stack it serves (the
chain state, the host, the offline guard, its miners' problems: ``session``)."""
