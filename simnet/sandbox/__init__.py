"""What keeps a process offline and out of the user's files: the offline guard and
deterministic wallets in a temporary directory. The bottom layer above ``_compat``."""
