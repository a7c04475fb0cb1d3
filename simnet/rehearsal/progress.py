"""A rehearsal's progress: epoch k of K and the current shares, live in a terminal and as
plain lines in CI logs (``CI`` set, or output not a terminal)."""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from simnet.rehearsal.report import RehearsalReport


def plain_output(stream: IO[str]) -> bool:
    """True for CI logs: ``CI`` set to anything but false/0/empty, or not a terminal."""
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return ci or not stream.isatty()


def epoch_line(report: RehearsalReport, total: int) -> str:
    """``epoch 2/5: honest 12.5%, copier 12.5%`` for the latest epoch, on one line."""
    k = len(report.epochs)
    shares = ", ".join(f"{s} {100 * report.share(s, epoch=k):.1f}%" for s in report.strategies)
    return f"rehearse: epoch {k}/{total}: {shares}"


class ProgressDisplay:
    """Use as ``with ProgressDisplay() as show: Rehearsal(..., progress=show)``."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.plain = plain_output(self.stream)
        self._live: Live | None = None

    def __enter__(self) -> ProgressDisplay:
        if not self.plain:
            console = Console(file=self.stream)
            self._live = Live(console=console, transient=True, auto_refresh=False)
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __call__(self, report: RehearsalReport, total: int) -> None:
        if self._live is None:
            print(epoch_line(report, total), file=self.stream, flush=True)
            return
        k = len(report.epochs)
        table = Table(title=f"epoch {k} of {total}", title_justify="left")
        table.add_column("strategy")
        table.add_column("emission share per uid", justify="right")
        for strategy in report.strategies:
            table.add_row(strategy, f"{100 * report.share(strategy, epoch=k):.1f}%")
        self._live.update(table, refresh=True)
