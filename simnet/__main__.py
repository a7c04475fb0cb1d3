"""``python -m simnet``: the same as the ``simnet`` command."""

import sys

from simnet.cli import main

sys.exit(main())
