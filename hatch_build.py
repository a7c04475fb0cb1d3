"""Build hook: ship the reference subnet inside the wheel as simnet/_reference_subnet/."""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

REFERENCE_FILES = ("protocol.py", "miner.py", "client.py")


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        # Editable installs read the reference subnet from the checkout instead.
        if self.target_name == "wheel" and version == "standard":
            for name in REFERENCE_FILES:
                build_data["force_include"][name] = f"simnet/_reference_subnet/{name}"
