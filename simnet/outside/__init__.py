"""Outside services offline: the HTTP APIs a subnet's neurons call besides the chain,
stubbed from a file and answered on loopback (see :mod:`simnet.outside.stubs`)."""
