"""What happens between an axon and its callers: response headers, fault plans and
the middleware applying them, and miner hygiene (exceptions, ASGI misuse, blocked loops)."""
