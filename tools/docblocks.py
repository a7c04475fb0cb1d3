"""Write every ```python block of README.md, docs/ and the examples' READMEs to files, so
`make lint` can check them as code (Python 3.10 syntax and APIs included).

    python tools/docblocks.py DIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def documents() -> list[Path]:
    """The Markdown files whose Python blocks are checked."""
    docs = sorted((ROOT / "docs").glob("*.md"))
    examples = sorted((ROOT / "examples").glob("*/README.md"))
    return [ROOT / "README.md", *docs, *examples]


def blocks(document: Path) -> list[tuple[int, str]]:
    """(line number, code) of each Python block in ``document``."""
    text = document.read_text()
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in BLOCK.finditer(text)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tools/docblocks.py DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for document in documents():
        stem = str(document.relative_to(ROOT)).replace("/", "__").removesuffix(".md")
        for line, code in blocks(document):
            (out / f"{stem}__line{line}.py").write_text(code)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
