"""The ``simnet`` command line: ``main`` parses; each command lives in a module of its own."""

from simnet.cli.dispatch import main

__all__ = ["main"]
