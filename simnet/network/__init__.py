"""Where served apps run and how clients reach them: the axon host's thread and loop, the
one serving pipeline and served handle of both stacks, the servers (uvicorn, aiohttp) and
the transports (TCP on 127.0.0.1, in memory) as objects."""
