"""The ``simnet`` command line: ``main`` (``dispatch``) parses; each command lives in a module
of its own (``demo``, ``fuzz``, ``chain``: status, register, epoch, reset; ``run``: run and
record; ``rehearse``), and ``reference`` finds the reference subnet."""

from simnet.cli.dispatch import main

__all__ = ["main"]
