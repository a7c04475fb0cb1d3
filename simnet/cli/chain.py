"""``simnet status``, ``register``, ``epoch`` and ``reset``: the local chain state."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from simnet.chain.hyperparams import U16_MAX

if TYPE_CHECKING:
    from simnet.network.local import LocalState


def status(console: Console, state: Path | None, netuid: int | None) -> int:
    """A table of each subnet's neurons."""
    local = _local_network(state, create=False)
    netuids = [netuid] if netuid is not None else local.chain.netuids()
    if not netuids:
        console.print(f"no subnets yet in {local.path}")
    block = local.chain.block
    for n in netuids:
        neurons = local.chain.neurons(n)  # runs the epochs due first
        params = local.chain.hyperparameters(n)
        title = (
            f"netuid {n} (block {block}, last epoch {local.chain.last_epoch(n)}, "
            f"tempo {params.tempo}, {local.path})"
        )
        table = Table(title=title)
        for column in _COLUMNS:
            right = column not in ("hotkey", "permit", "immune", "axon", "last seen", "weights")
            table.add_column(column, justify="right" if right else "left", overflow="fold")
        for neuron in neurons:
            axon = f"{neuron.axon_ip}:{neuron.axon_port}" if neuron.serving else "-"
            immune = block - neuron.registered_at < params.immunity_period
            table.add_row(
                str(neuron.uid),
                neuron.hotkey,
                f"{neuron.stake:.3f}",
                "yes" if neuron.validator_permit else "",
                f"{neuron.incentive / U16_MAX:.4f}",
                f"{neuron.dividends / U16_MAX:.4f}",
                f"{neuron.validator_trust / U16_MAX:.4f}",
                f"{neuron.emission / 1e9:.4f}",
                "yes" if immune else "",
                axon,
                str(neuron.last_update),
                _ago(neuron.last_seen),
                _weights(local.chain.weights(n, neuron.uid)),
            )
        console.print(table)
    return 0


_COLUMNS = (
    "uid",
    "hotkey",
    "stake",
    "permit",
    "incentive",
    "dividends",
    "vtrust",
    "emission",
    "immune",
    "axon",
    "last update",
    "last seen",
    "weights",
)


def epoch(console: Console, state: Path | None, netuid: int) -> int:
    """Run ``netuid``'s epoch now (Yuma consensus over the stored weights)."""
    local = _local_network(state, create=False)
    ran = local.chain.run_epoch(netuid)
    console.print(f"epoch of netuid {netuid} at block {ran.block}")
    return 0


def _local_network(state: Path | None, *, create: bool = True) -> LocalState:
    """The state file with the installed stack's wallets (11.x's or bittensor_wallet's)."""
    local_network, _ = _stack()
    return local_network(state, create=create)


def _stack() -> tuple[type[LocalState], Any]:
    """The installed stack's ``LocalNetwork`` and ``Keypair``."""
    from simnet._release import SIGNED_HTTP_STACK

    if SIGNED_HTTP_STACK:
        from simnet.v11.local import LocalNetwork as V11Network
        from simnet.v11.sdk import Keypair as V11Keypair

        return V11Network, V11Keypair
    from simnet._compat import Keypair
    from simnet.neurons.local import LocalNetwork

    return LocalNetwork, Keypair


def _weights(pairs: list[tuple[int, int]]) -> str:
    """``uid:share`` for each weight a neuron set (shares of its total), or ``-``."""
    total = sum(weight for _, weight in pairs)
    return " ".join(f"{uid}:{weight / total:.2f}" for uid, weight in pairs) if total else "-"


def _ago(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    seconds = max(0.0, time.time() - timestamp)
    when = datetime.datetime.fromtimestamp(timestamp).strftime("%H:%M:%S")
    return f"{when} ({seconds:.0f} s ago)"


def register(
    console: Console,
    state: Path | None,
    netuid: int,
    name: str | None,
    hotkey: str,
    ss58: str | None,
    stake: float,
    validator: bool,
) -> int:
    """Register a wallet (created deterministically if missing) or an ss58 hotkey."""
    from simnet.network.local import LocalError

    local = _local_network(state)
    if ss58 is not None:
        try:
            _stack()[1](ss58_address=ss58)
        except ValueError as exc:
            raise LocalError(f"invalid hotkey {ss58!r}: {exc}") from None
        local.ensure_subnet(netuid)
        neuron = local.chain.register(netuid, ss58, ss58, stake=stake, validator_permit=validator)
    else:
        if not name:
            raise LocalError("register needs a wallet name or --ss58 ADDRESS")
        wallet = local.wallet(name, hotkey)
        neuron = local.register(netuid, wallet, stake=stake, validator_permit=validator)
    replaced = [r for r in local.chain.replacements if r.new_hotkey == neuron.hotkey]
    line = f"uid {neuron.uid} on netuid {netuid}: {neuron.hotkey}"
    if replaced:
        line += f" (the subnet was full: replaced {replaced[-1].old_hotkey})"
    console.print(line, soft_wrap=True)
    return 0


def reset(console: Console, state: Path | None) -> int:
    """Delete the chain state file (and its journal files)."""
    from simnet.network.local import default_state_path

    path = state or default_state_path()
    removed = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    for file in removed:
        file.unlink()
    console.print(f"removed {path}" if removed else f"nothing to remove at {path}")
    return 0
