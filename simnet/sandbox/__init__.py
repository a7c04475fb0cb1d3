"""What keeps a process offline and out of the user's files: the offline guard
(``offline``: bittensor's external-IP lookup answered locally, every connection and DNS
lookup beyond loopback refused) and deterministic, unencrypted real wallets in a
temporary directory (``wallets``). The bottom layer above ``_compat``."""
