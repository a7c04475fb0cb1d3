"""The simulated chain: the state (sqlite) and the subtensor double that reads and writes it."""
