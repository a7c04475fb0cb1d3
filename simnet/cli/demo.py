"""``simnet demo``: the reference miner and client streaming through a real Axon and Dendrite."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from simnet.network.transports import BaseTransport

DEMO_PROMPT = (
    "Streaming works offline: the real bittensor Axon serves the miner on 127.0.0.1, "
    "the real Dendrite signs each request, and every token arrives in order — même en "
    "UTF-8, 日本語も 🎉."
)


@dataclass(frozen=True)
class DemoResult:
    """How the demo ended."""

    status_code: int | None
    status_message: str | None
    completion: str
    expected: str

    @property
    def ok(self) -> bool:
        return self.status_code == 200 and self.completion == self.expected


async def run_demo(
    console: Console,
    *,
    prompt: str = DEMO_PROMPT,
    netuid: int = 8,
    tokens_per_send: int = 3,
    token_delay: float = 0.03,
    subnet_dir: Path | None = None,
    transport: BaseTransport | None = None,
) -> DemoResult:
    """Start an offline subnet (validator uid 0, reference miner uid 1) and stream from it."""
    from simnet.cli.reference import load_reference
    from simnet.neurons.simnet import Simnet

    reference = load_reference(subnet_dir)
    Miner, EchoModel = reference.miner.Miner, reference.miner.EchoModel
    async with Simnet(transport=transport or "tcp") as net:
        validator = net.register(netuid, "default", stake=1000.0, validator_permit=True)
        axon = net.serve(
            netuid,
            lambda ctx: Miner(
                ctx.wallet, ctx.metagraph, tokens_per_send=tokens_per_send, token_delay=token_delay
            ),
            name="miner",
        )
        metagraph = net.metagraph(netuid)
        console.print(f"[bold]simnet[/] offline subnet netuid {netuid} (block {net.chain.block})")
        console.print(
            f"  uid 0  validator  {validator.hotkey}  stake {metagraph.S[0]:.0f}", soft_wrap=True
        )
        console.print(
            f"  uid {axon.uid}  miner      {axon.hotkey}  axon {axon.ip}:{axon.port}"
            + (f" ({axon.transport.in_words})" if axon.transport.in_words else ""),
            soft_wrap=True,
        )
        console.print(f"[dim]reference subnet: {reference.directory}[/]")
        console.print("[bold]streaming[/] uid 1 → ", end="")
        async with net.dendrite(validator) as dendrite:
            final = await reference.client.stream_prompt(
                dendrite,
                metagraph.axons[axon.uid],
                prompt,
                on_text=lambda text: console.print(text, end="", markup=False, soft_wrap=True),
            )
        console.print()
    expected = "".join(EchoModel().tokens(prompt))
    return DemoResult(
        final.dendrite.status_code, final.dendrite.status_message, final.completion, expected
    )


def demo(console: Console, **options: object) -> int:
    """Run the demo and report; 0 when every token arrived and the status was 200."""
    result = asyncio.run(run_demo(console, **options))  # type: ignore[arg-type]
    if result.ok:
        console.print(f"[green]status {result.status_code}[/], {len(result.completion)} characters")
        return 0
    console.print(f"[red]status {result.status_code}: {result.status_message}[/]")
    if result.completion != result.expected:
        console.print(f"[red]completion differs from the prompt's tokens:[/] {result.completion!r}")
    return 1
