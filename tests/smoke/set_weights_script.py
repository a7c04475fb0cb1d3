"""A validator script as subnets write them: it reads the chain through bittensor's own
``Subtensor`` and sets weights on every other uid. ``simnet run`` runs it unmodified."""

import argparse

import bittensor as bt

parser = argparse.ArgumentParser()
parser.add_argument("--netuid", type=int, required=True)
parser.add_argument("--wallet.name", dest="wallet_name", default="validator")
args = parser.parse_args()

subtensor = bt.Subtensor(network="finney")
wallet = bt.Wallet(name=args.wallet_name)
metagraph = subtensor.metagraph(args.netuid)
me = wallet.hotkey.ss58_address
pairs = zip(metagraph.uids, metagraph.hotkeys, strict=True)
uids = [int(uid) for uid, hotkey in pairs if hotkey != me]
success, message = subtensor.set_weights(
    wallet=wallet, netuid=args.netuid, uids=uids, weights=[1.0] * len(uids)
)
print(f"set_weights on {uids}: {success} {message}", flush=True)
raise SystemExit(0 if success else 1)
