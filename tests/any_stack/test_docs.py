"""Every runnable Python block of the README, the guide and the examples' READMEs passes
as printed, for the installed bittensor's stack (blocks fenced ``python bittensor=11``
with 11.x, the others with 9.x/10.x; fragments, ``python fragment``, are only linted)."""

import sys
from pathlib import Path

import pytest

from simnet._release import SIGNED_HTTP_STACK

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from docblocks import run, runnable

RUNNABLE = runnable("v11" if SIGNED_HTTP_STACK else "neuron")


def test_the_docs_have_runnable_examples():
    assert any(b.document.name == "README.md" for b in RUNNABLE)
    assert SIGNED_HTTP_STACK or len(RUNNABLE) >= 4


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.name for block in RUNNABLE])
def test_a_documented_example_passes_as_printed(block, tmp_path):
    result = run(block, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
