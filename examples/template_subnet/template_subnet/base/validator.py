"""The validator's base class: query, score, and set weights every epoch (in blocks)."""

import asyncio
import copy

import bittensor as bt
import numpy as np

from template_subnet.base.neuron import BaseNeuron
from template_subnet.weights import process_weights


class BaseValidatorNeuron(BaseNeuron):
    neuron_type = "ValidatorNeuron"

    def __init__(self, config=None):
        super().__init__(config=config)
        self.hotkeys = copy.deepcopy(self.metagraph.hotkeys)
        self.dendrite = bt.Dendrite(wallet=self.wallet)
        self.scores = np.zeros(self.metagraph.n, dtype=np.float32)
        self.loop = asyncio.get_event_loop()  # as the subnet template does
        self.should_exit = False

    def should_set_weights(self) -> bool:
        return self.step > 0 and self.blocks_since_update() > self.config.neuron.epoch_length

    def run(self) -> None:
        try:
            while not self.should_exit:
                self.loop.run_until_complete(self.forward())
                self.sync()
                self.step += 1
        except KeyboardInterrupt:
            bt.logging.info("Validator stopped.")

    def resync_metagraph(self) -> None:
        """As the subnet template does: a uid whose hotkey changed (the chain replaced it)
        starts again from a score of zero."""
        previous_axons = copy.deepcopy(self.metagraph.axons)
        self.metagraph.sync(subtensor=self.subtensor)
        if previous_axons == self.metagraph.axons:
            return
        for uid, hotkey in enumerate(self.hotkeys):
            if uid < len(self.metagraph.hotkeys) and hotkey != self.metagraph.hotkeys[uid]:
                self.scores[uid] = 0
        if len(self.hotkeys) < len(self.metagraph.hotkeys):
            grown = np.zeros(self.metagraph.n, dtype=np.float32)
            grown[: len(self.scores)] = self.scores
            self.scores = grown
        self.hotkeys = copy.deepcopy(self.metagraph.hotkeys)

    def update_scores(self, rewards: np.ndarray, uids) -> None:
        if len(self.scores) < self.metagraph.n:
            grown = np.zeros(self.metagraph.n, dtype=np.float32)
            grown[: len(self.scores)] = self.scores
            self.scores = grown
        alpha = self.config.neuron.moving_average_alpha
        scattered = np.zeros_like(self.scores)
        scattered[np.asarray(uids, dtype=int)] = rewards
        self.scores = alpha * scattered + (1 - alpha) * self.scores

    def set_weights(self) -> None:
        uids, weights = process_weights(
            self.scores,
            min_allowed_weights=self.subtensor.min_allowed_weights(self.config.netuid),
            max_weight_limit=self.subtensor.max_weight_limit(self.config.netuid),
        )
        result, message = self.subtensor.set_weights(
            wallet=self.wallet,
            netuid=self.config.netuid,
            uids=uids,
            weights=weights,
            wait_for_inclusion=False,
            wait_for_finalization=False,
            version_key=self.spec_version,
        )
        if result is True:
            bt.logging.info("set_weights on chain successfully!")
        else:
            bt.logging.error(f"set_weights failed: {message}")
        self.last_set_weights = (result, message)
