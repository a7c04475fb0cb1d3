"""A neuron script for `simnet run` tests: does what its first argument names."""

import os
import sys

import bittensor as bt

what = sys.argv[1]
subtensor = bt.Subtensor(network="simnet")
if what == "argv":
    print("argv", sys.argv, "home", os.path.expanduser("~"), "path0", sys.path[0])
elif what == "metagraph":
    print("n", subtensor.metagraph(int(sys.argv[2])).n)
elif what == "delegates":
    subtensor.get_delegates()
elif what == "exit":
    sys.exit(int(sys.argv[2]))
elif what == "raise":
    raise ValueError("the neuron's own bug")
