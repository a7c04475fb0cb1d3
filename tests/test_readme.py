"""The README's complete example test runs as written."""

import re
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


def _block_after(heading: str) -> str:
    text = README.read_text()
    section = text[text.index(heading) :]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_complete_example_in_the_readme_passes(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_readme_example=_block_after("## A complete test"))
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=1)
