"""Scores to the weights the chain accepts (the template's process_weights_for_netuid, reduced)."""

import numpy as np


def process_weights(scores, *, min_allowed_weights: int, max_weight_limit: float):
    """Non-zero, normalised weights, at least ``min_allowed_weights`` of them and none
    above ``max_weight_limit`` (the excess spread over the others)."""
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64))
    uids = np.flatnonzero(scores > 0)
    if len(uids) < min_allowed_weights:
        uids = np.argsort(-scores)[: max(min_allowed_weights, 1)]
    weights = scores[uids] + 1e-6
    weights = weights / weights.sum()
    for _ in range(len(weights)):
        over = weights > max_weight_limit
        if not over.any():
            break
        excess = (weights[over] - max_weight_limit).sum()
        weights[over] = max_weight_limit
        under = ~over
        if under.any():
            weights[under] += excess * weights[under] / weights[under].sum()
    return uids.tolist(), weights.tolist()
