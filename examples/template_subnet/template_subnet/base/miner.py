"""The miner's base class: an axon with every synapse attached, served on the subnet."""

import threading
import time

import bittensor as bt

from template_subnet.base.neuron import BaseNeuron
from template_subnet.protocol import IsAlive


class BaseMinerNeuron(BaseNeuron):
    neuron_type = "MinerNeuron"

    def __init__(self, config=None):
        super().__init__(config=config)
        self.axon = bt.Axon(wallet=self.wallet, config=self.config)
        self.axon.attach(
            forward_fn=self.forward, blacklist_fn=self.blacklist, priority_fn=self.priority
        )
        self.axon.attach(forward_fn=self.is_alive)
        self.should_exit = False
        self.thread = None

    async def is_alive(self, synapse: IsAlive) -> IsAlive:
        synapse.answer = "alive"
        return synapse

    def run(self) -> None:
        self.axon.serve(netuid=self.config.netuid, subtensor=self.subtensor)
        self.axon.start()
        bt.logging.info(f"Miner {self.uid} serving at block {self.block}")
        while not self.should_exit:
            if self.blocks_since_update() >= self.config.neuron.epoch_length:
                self.sync()
                self.step += 1
            time.sleep(0.05)
        self.axon.stop()

    def run_in_background_thread(self) -> None:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def stop_run_thread(self) -> None:
        self.should_exit = True
        if self.thread is not None:
            self.thread.join(5)

    def __enter__(self):
        self.run_in_background_thread()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop_run_thread()

    def blacklist_for(self, hotkey) -> tuple[bool, str]:
        if hotkey not in self.metagraph.hotkeys:
            return True, "Unrecognized hotkey"
        uid = self.metagraph.hotkeys.index(hotkey)
        permitted = self.metagraph.validator_permit[uid]
        if self.config.blacklist.force_validator_permit and not permitted:
            return True, "Non-validator hotkey"
        return False, "Hotkey recognized"

    def priority_for(self, hotkey) -> float:
        if hotkey not in self.metagraph.hotkeys:
            return 0.0
        return float(self.metagraph.S[self.metagraph.hotkeys.index(hotkey)])
