"""An example bittensor 11.x subnet: miners stream words as server-sent events behind
btauth/1; validators check the words and set weights."""
