"""How the validator scores an answer."""


def reward(query: int, response) -> float:
    """1 for the right answer (twice the query), 0 for anything else, including no answer."""
    return 1.0 if response == query * 2 else 0.0
