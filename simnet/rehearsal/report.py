"""What a rehearsal found: per strategy and per epoch, its share of what the epoch paid."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Role = Literal["miner", "validator"]
Measure = Literal["emission", "incentive", "dividends"]
Per = Literal["uid", "group"]


@dataclass(frozen=True)
class Member:
    """One neuron of a rehearsal: the strategy it plays and where it sits."""

    strategy: str
    role: Role
    uid: int
    hotkey: str
    coldkey: str


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch gave each uid (rao of emission; u16 incentive and dividends)."""

    index: int
    block: int
    emission: Mapping[int, int]
    incentive: Mapping[int, int]
    dividends: Mapping[int, int]


@dataclass
class RehearsalReport:
    """A rehearsal's outcome. ``share("copier")`` is the mean, over the epochs, of the
    share one copier uid got of what the epoch paid the miners (for a validator
    strategy: the validators); ``per="group"`` sums the strategy's uids instead."""

    netuid: int
    tempo: int
    members: list[Member]
    epochs: list[EpochRecord] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def strategies(self) -> list[str]:
        """Every strategy played, miners first, in the order given."""
        return list(dict.fromkeys(m.strategy for m in self.members))

    def role(self, strategy: str) -> Role:
        return self._members(strategy)[0].role

    def uids(self, strategy: str) -> list[int]:
        return [m.uid for m in self._members(strategy)]

    def _members(self, strategy: str) -> list[Member]:
        found = [m for m in self.members if m.strategy == strategy]
        if not found:
            raise KeyError(
                f"no strategy {strategy!r} in this rehearsal; it ran {', '.join(self.strategies)}"
            )
        return found

    def shares(
        self, strategy: str, *, measure: Measure = "emission", per: Per = "uid"
    ) -> list[float | None]:
        """The strategy's share in each epoch (``None`` where its role earned nothing)."""
        role, uids = self.role(strategy), self.uids(strategy)
        everyone = [m.uid for m in self.members if m.role == role]
        result: list[float | None] = []
        for epoch in self.epochs:
            values: Mapping[int, int] = getattr(epoch, measure)
            total = sum(values.get(uid, 0) for uid in everyone)
            mine = sum(values.get(uid, 0) for uid in uids)
            result.append(None if not total else mine / total / (len(uids) if per == "uid" else 1))
        return result

    def share(
        self,
        strategy: str,
        *,
        measure: Measure = "emission",
        per: Per = "uid",
        epoch: int | None = None,
    ) -> float:
        """The strategy's share, averaged over the epochs that paid its role anything
        (or in epoch ``epoch``, counted from 1); 0.0 if none did."""
        values = self.shares(strategy, measure=measure, per=per)
        if epoch is not None:
            return values[epoch - 1] or 0.0
        paid = [v for v in values if v is not None]
        return sum(paid) / len(paid) if paid else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data: strategies with their shares, epochs, findings."""
        strategies = {}
        for name in self.strategies:
            measure: Measure = "incentive" if self.role(name) == "miner" else "dividends"
            strategies[name] = {
                "role": self.role(name),
                "uids": self.uids(name),
                "share": self.share(name),
                f"{measure}_share": self.share(name, measure=measure),
                "group_share": self.share(name, per="group"),
                "per_epoch": {
                    "emission": self.shares(name),
                    measure: self.shares(name, measure=measure),
                },
            }
        return {
            "netuid": self.netuid,
            "tempo": self.tempo,
            "epochs": len(self.epochs),
            "strategies": strategies,
            "members": [asdict(m) for m in self.members],
            "epoch_records": [_epoch_dict(e) for e in self.epochs],
            "findings": list(self.findings),
        }

    def write_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON to ``path``."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    def write_chart(self, path: str | Path) -> Path:
        """Write the SVG chart of emission share per uid, strategy by strategy, over the
        epochs (one self-contained file) to ``path``."""
        from simnet.rehearsal.chart import write_svg  # the chart module reads reports

        return write_svg(self, path)

    def rows(self) -> list[tuple[str, ...]]:
        """The table's rows: strategy, role, uids, share per uid, the group's share, and
        incentive (miners) or dividends (validators) per uid, as percentages."""
        rows: list[tuple[str, ...]] = []
        for name in self.strategies:
            measure: Measure = "incentive" if self.role(name) == "miner" else "dividends"
            rows.append(
                (
                    name,
                    self.role(name),
                    str(len(self.uids(name))),
                    _percent(self.share(name)),
                    _percent(self.share(name, per="group")),
                    f"{measure} {_percent(self.share(name, measure=measure))}",
                )
            )
        return rows


HEADERS = ("strategy", "role", "uids", "emission/uid", "group", "incentive or dividends/uid")


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def _epoch_dict(epoch: EpochRecord) -> dict[str, Any]:
    return {
        "index": epoch.index,
        "block": epoch.block,
        **{
            name: {str(uid): value for uid, value in getattr(epoch, name).items()}
            for name in ("emission", "incentive", "dividends")
        },
    }
