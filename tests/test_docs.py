"""Every runnable Python block of the README, the guide and the examples' READMEs passes
as printed (fragments are marked ``python fragment`` and only linted)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from docblocks import blocks, documents

RUNNABLE = [block for document in documents() for block in blocks(document) if not block.fragment]


def test_the_docs_have_runnable_examples():
    assert len(RUNNABLE) >= 4
    assert any(b.document.name == "README.md" for b in RUNNABLE)


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.name for block in RUNNABLE])
def test_a_documented_example_passes_as_printed(block, tmp_path):
    module = tmp_path / f"test_docblock_line{block.line}.py"
    module.write_text(block.code)
    env = {**os.environ, "PYTHONPATH": str(block.run_in)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "-n", "0", "--rootdir", str(block.run_in), str(module)],
        cwd=block.run_in, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
