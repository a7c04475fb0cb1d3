"""One environment, one bittensor: asking for the other stack is one line, not a traceback."""

import subprocess
import sys

import pytest

from simnet._release import BITTENSOR_VERSION, WrongStack, require


def test_the_11x_stack_asked_for_on_this_release_names_what_to_install():
    with pytest.raises(WrongStack) as caught:
        require("v11")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"simnet.v11 needs bittensor 11.x; bittensor {BITTENSOR_VERSION}")
    assert "pip install 'bittensor>=11,<12'" in message


def test_importing_simnet_v11_here_fails_with_that_one_line():
    result = subprocess.run(
        [sys.executable, "-c", "import simnet.v11"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("simnet._release.WrongStack: simnet.v11 needs bittensor 11.x")
    )


def test_an_unknown_stack_is_named():
    with pytest.raises(ValueError, match="unknown simnet stack 'v12'"):
        require("v12")
