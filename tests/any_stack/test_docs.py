"""Every runnable Python block of the README, the guide and the examples' READMEs passes
as printed, for the installed bittensor's stack (blocks fenced ``python bittensor=11``
with 11.x, the others with 9.x/10.x; fragments, ``python fragment``, are only linted);
and the layout in docs/contributing.md names every module of the package."""

import sys
from pathlib import Path

import pytest

from simnet._release import SIGNED_HTTP_STACK

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from docblocks import run, runnable  # noqa: E402

RUNNABLE = runnable("v11" if SIGNED_HTTP_STACK else "neuron")


def test_the_docs_have_runnable_examples():
    assert any(b.document.name == "README.md" for b in RUNNABLE)
    assert SIGNED_HTTP_STACK or len(RUNNABLE) >= 4


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.name for block in RUNNABLE])
def test_a_documented_example_passes_as_printed(block, tmp_path):
    result = run(block, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]


def layout_modules() -> set[str]:
    """The modules the layout of docs/contributing.md names: ``simnet/<room>/`` lines set
    the room, and the first column of each line lists file names."""
    text = (ROOT / "docs" / "contributing.md").read_text()
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    named: set[str] = set()
    room = None  # not inside simnet/ (the reference subnet, examples/, tools/)
    for line in block.splitlines():
        first_column = line.strip().split("  ", 1)[0].split()
        if not line.startswith(" "):
            room = None
            if line.startswith("simnet/"):
                room = first_column[0] if first_column[0].endswith("/") else "simnet/"
                first_column[0] = first_column[0].removeprefix(room)
        if room is not None:
            named |= {room + name for name in first_column if name.endswith(".py")}
    return named


def test_the_contributing_layout_names_every_module_of_the_package():
    package = ROOT / "simnet"
    modules = {
        str(path.relative_to(ROOT))
        for path in package.rglob("*.py")
        if not (path.name == "__init__.py" and path.parent != package)
    }
    assert sorted(modules - layout_modules()) == []
    assert sorted(layout_modules() - modules) == []
