"""What keeps a process offline and out of the user's files: the offline guard (a stack
adds its own patches to it) and the seeds and directory of deterministic wallets (each
stack makes its SDK's wallets from them), a script run as python runs it, and class
stand-ins for the stacks' redirects. Imports no stack; below it only ``_patches``
and ``_release``."""
