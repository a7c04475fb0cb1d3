"""One self-contained SVG chart: each strategy's emission share per uid, epoch by epoch."""

from __future__ import annotations

from html import escape
from pathlib import Path

from simnet.rehearsal.report import RehearsalReport

_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a",
)  # fmt: skip
_WIDTH, _HEIGHT, _LEFT, _RIGHT, _TOP, _BOTTOM = 720, 360, 60, 200, 30, 40


def svg(report: RehearsalReport) -> str:
    """The chart as SVG text: one line per strategy (validators dashed), y in percent."""
    k = len(report.epochs)
    series = {s: [v or 0.0 for v in report.shares(s)] for s in report.strategies}
    top = max([v for values in series.values() for v in values] + [0.01])
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM

    def x(i: int) -> float:
        return _LEFT + (plot_w * i / (k - 1) if k > 1 else plot_w / 2)

    def y(v: float) -> float:
        return _TOP + plot_h * (1 - v / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{_LEFT}" y="18">emission share per uid over {k} epochs of {report.tempo} '
        "blocks: miners of the miners' emission, validators (dashed) of the validators'</text>",
        f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" y2="{_TOP + plot_h}" '
        'stroke="black"/>',
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + plot_h}" stroke="black"/>',
    ]
    for tick in range(5):
        value = top * tick / 4
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{100 * value:.1f}%</text>"
        )
    for i in range(k):
        parts.append(
            f'<text x="{x(i):.1f}" y="{_TOP + plot_h + 16}" text-anchor="middle">{i + 1}</text>'
        )
    for n, (strategy, values) in enumerate(series.items()):
        colour = _COLOURS[n % len(_COLOURS)]
        dash = ' stroke-dasharray="6 3"' if report.role(strategy) == "validator" else ""
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        ly = _TOP + 16 * n
        parts.append(
            f'<line x1="{_WIDTH - _RIGHT + 15}" y1="{ly}" x2="{_WIDTH - _RIGHT + 35}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        parts.append(
            f'<text x="{_WIDTH - _RIGHT + 40}" y="{ly + 4}">{escape(strategy)} '
            f"({report.role(strategy)})</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_svg(report: RehearsalReport, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(svg(report))
    return path
