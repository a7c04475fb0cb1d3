"""The ```python blocks of README.md, docs/ and the examples' READMEs.

A block is a runnable test module unless its fence says ``python fragment``; ``python
run-in=DIR`` runs it from DIR (an example subnet) instead of the repository's top, where
the reference subnet is importable; ``python bittensor=11`` marks a block for the 11.x
stack (``simnet.v11``). ``tests/test_docs.py`` runs every runnable block of the neuron
stack, ``tests/v11/test_docs.py`` those of 11.x;
``make lint`` writes all of them to files (``python tools/docblocks.py DIR``) to check
them as Python 3.10 code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python(?P<info>[^\n]*)\n(?P<code>.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Block:
    document: Path
    line: int
    code: str
    info: str

    @property
    def fragment(self) -> bool:
        """True for an illustration that is not a whole test module."""
        return "fragment" in self.info.split()

    @property
    def stack(self) -> str:
        """``"v11"`` for a block about bittensor 11.x, else ``"neuron"`` (9.x, 10.x)."""
        return "v11" if "bittensor=11" in self.info.split() else "neuron"

    @property
    def run_in(self) -> Path:
        """The directory the block runs from."""
        for word in self.info.split():
            if word.startswith("run-in="):
                return ROOT / word.removeprefix("run-in=")
        return ROOT

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def documents() -> list[Path]:
    """The Markdown files whose Python blocks are checked."""
    docs = sorted((ROOT / "docs").glob("*.md"))
    examples = sorted((ROOT / "examples").glob("*/README.md"))
    return [ROOT / "README.md", *docs, *examples]


def blocks(document: Path) -> list[Block]:
    """Each Python block of ``document``, with the line its code starts on."""
    text = document.read_text()
    return [
        Block(document, text.count("\n", 0, m.start()) + 2, m.group("code"), m.group("info"))
        for m in FENCE.finditer(text)
    ]


def runnable(stack: str) -> list[Block]:
    """The blocks of ``stack`` that are whole test modules."""
    return [
        block
        for document in documents()
        for block in blocks(document)
        if not block.fragment and block.stack == stack
    ]


def run(block: Block, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``block`` as a pytest module from its directory, as a reader would."""
    module = tmp_path / f"test_docblock_line{block.line}.py"
    module.write_text(block.code)
    env = {**os.environ, "PYTHONPATH": str(block.run_in)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "-n", "0", "--rootdir", str(block.run_in), str(module)],
        cwd=block.run_in, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tools/docblocks.py DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for document in documents():
        stem = str(document.relative_to(ROOT)).replace("/", "__").removesuffix(".md")
        for block in blocks(document):
            (out / f"{stem}__line{block.line}.py").write_text(block.code)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
