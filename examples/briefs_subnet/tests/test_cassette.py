"""The validator's exchanges with its platform, replayed from a cassette with no stubs at
all (tests/cassettes/validator.yaml; tests/record_cassette.py says how it was made)."""

from pathlib import Path

import pytest

CASSETTES = Path(__file__).parent / "cassettes"


@pytest.mark.simnet(redirect=True, outside="tests/cassettes/validator.yaml")
def test_the_cassette_alone_answers_the_validator(simnet, two_miners, validator):
    validator.loop.run_until_complete(validator.forward())
    assert all(validator.scores[m.uid] > 0 for m in two_miners)


def test_the_cassette_holds_no_secret():
    text = (CASSETTES / "validator.yaml").read_text()
    assert "SCRUBBED" in text
    assert "Bearer" not in text
