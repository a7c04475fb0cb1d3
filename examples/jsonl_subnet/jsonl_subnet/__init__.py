"""An example subnet whose miners stream JSON lines: ``{"i": 0, "token": "..."}\\n``."""
