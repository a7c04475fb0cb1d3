"""A rehearsal's report as a table: rich in a terminal, plain aligned text in CI logs."""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.table import Table

from simnet.rehearsal.progress import plain_output
from simnet.rehearsal.report import HEADERS, RehearsalReport


def plain(report: RehearsalReport) -> str:
    """The table as aligned text, one row a line, then the findings."""
    rows = [HEADERS, *report.rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join([*lines, *_findings(report)]) + "\n"


def show(report: RehearsalReport, stream: IO[str]) -> None:
    """Print the table to ``stream``: rich in a terminal, :func:`plain` otherwise."""
    if plain_output(stream):
        stream.write(plain(report))
        return
    table = Table(title=f"rehearsal: {len(report.epochs)} epochs of {report.tempo} blocks")
    for header in HEADERS:
        table.add_column(header, justify="left" if header in ("strategy", "role") else "right")
    for row in report.rows():
        table.add_row(*row)
    console = Console(file=stream)
    console.print(table)
    for line in _findings(report):
        console.print(line, markup=False)


def _findings(report: RehearsalReport) -> list[str]:
    return [f"finding: {finding}" for finding in report.findings]
