"""A subnet in the shape of the subnet template (example for simnet)."""

__version__ = "0.1.0"
spec_version = 1
