"""Outside services offline: the HTTP APIs a subnet's neurons call besides the chain,
stubbed from a file (:mod:`simnet.outside.stubs`) and answered on loopback over HTTP and
HTTPS (:mod:`simnet.outside.services`), or recorded once online and replayed as cassettes
(:mod:`simnet.outside.cassettes`)."""
