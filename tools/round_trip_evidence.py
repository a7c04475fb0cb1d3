"""Should the content round trip run by default? The evidence, from the real-protocol
specimens (``tests/specimens/``, the reference protocol and the JSON-lines example).

    .venv/bin/python tools/round_trip_evidence.py [--examples N]

By default nobody gives the protocol's documented transformation (``expected``), so the
only default simnet could use is a guess. The best guess found: "the text streamed is
the text kept", applied to the ``str`` fields a plain-text body fills (a field the probe
body ``hello world\\n`` changes); a protocol whose stream fills no such field gets no
verdict. Each specimen is run with that guess and judged against what it really does
with content (``TRUTH``): a failure of a protocol that keeps what it is sent is a false
alarm, a pass of one that loses content a miss. The streaming readers of
``tests/any_stack/specimens.py`` return a result, not a synapse: the round trip does not
apply to them (they are listed with their result's type).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "examples" / "jsonl_subnet")]

from hypothesis import find  # noqa: E402
from jsonl_subnet.protocol import JsonLinesQuery  # noqa: E402

from protocol import StreamPrompting  # noqa: E402
from simnet._compat import quiet_bittensor_logging  # noqa: E402
from simnet.fuzz import strategies  # noqa: E402
from simnet.fuzz.runs import base_headers, run_protocol, user_fields  # noqa: E402
from simnet.properties import (  # noqa: E402
    PropertyFailed,
    check_chunking_invariance,
    check_round_trip,
)
from tests.any_stack import specimens as readers  # noqa: E402
from tests.specimens import real_protocols as real  # noqa: E402
from tests.specimens import tutorial_protocol as tutorial  # noqa: E402

PROBE = b"hello world\n"

TRUTH: dict[type, bool] = {
    # True: the validator ends with what a miner of the protocol's shape streamed.
    real.IgnoresSplitCharacters: False,  # drops characters split between reads
    real.DecodesFixedPieces: False,  # raises on a character at byte 100
    real.LosesObjectsAtBoundaries: False,  # loses JSON objects cut by a read
    real.YieldsPerRead: True,
    real.LooselyTyped: True,
    real.ErrorPathReadsTheUrl: True,
    real.SplitsHeaderNames: True,
    real.DropsUnderscoredHeaders: False,  # decodes each read on its own (errors="replace")
    real.StampsEachRun: True,
    real.DropsNonAscii: True,  # drops non-ASCII on purpose: its documented transformation
    real.OptionalTexts: True,
    real.BadDefaultSeed: True,
    real.IndexesRawHeaderNames: True,
    real.RecordsErrors: False,  # decodes each read on its own (errors="replace")
    real.WritesThenRaises: True,
    real.ClearsCompletion: True,
    real.OpenAIDeltas: False,  # drops characters split between reads
    real.YieldsRawText: True,  # keeps nothing itself: the validator's consumer does
    real.DropsNewlines: False,  # drops every newline
    real.KeepsLines: True,
    real.SkipsBlankReads: False,  # drops whitespace arriving in a read of its own
    real.AppendsBytesToText: True,
    tutorial.TutorialStreamPrompting: False,  # raises on split characters, drops newlines
    tutorial.TutorialWithHeaderNamesFixed: False,
    StreamPrompting: True,
    JsonLinesQuery: True,
}


def text_fields(cls: type) -> list[str]:
    """The ``str`` fields a plain-text body fills, the same in two runs (not a timestamp
    or a random id), for simnet's simplest synapse."""
    synapse = find(strategies.synapses(cls), lambda _: True)
    warnings.filterwarnings("ignore", "Pydantic serializer warnings", UserWarning)
    sent = user_fields(synapse)
    first, again = (
        asyncio.run(run_protocol(synapse, [PROBE], raw_headers=base_headers(synapse)))
        for _ in range(2)
    )
    return sorted(
        name
        for name, value in first.fields.items()
        if isinstance(value, str) and value != sent.get(name) and value == again.fields[name]
    )


def guess(fields: list[str]) -> Callable[[bytes], Any]:
    """The default's guess at the protocol's transformation: each field holds the text."""
    return lambda body: {name: body.decode("utf-8") for name in fields}


def verdict(cls: type, examples: int) -> tuple[str, str]:
    fields = text_fields(cls)
    if not fields:
        return "no verdict", "-"
    try:
        check_round_trip(cls, expected=guess(fields), max_examples=examples, seed=0)
    except PropertyFailed:
        return f"fails ({', '.join(fields)})", "right" if not TRUTH[cls] else "FALSE ALARM"
    return f"holds ({', '.join(fields)})", "right" if TRUTH[cls] else "miss"


def caught_anyway(cls: type, examples: int) -> bool:
    """Whether chunking invariance, on by default, already fails the protocol."""
    try:
        check_chunking_invariance(cls, max_examples=examples, seed=0)
    except PropertyFailed:
        return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=100)
    args = parser.parse_args()
    quiet_bittensor_logging()
    counts: dict[str, int] = {}
    print(
        "| specimen | keeps its content | round trip with the guess | judged "
        "| chunking invariance fails |\n|---|---|---|---|---|"
    )
    for cls, keeps in TRUTH.items():
        result, judged = verdict(cls, args.examples)
        kind = result.split(" (")[0]
        counts[kind] = counts.get(kind, 0) + 1
        counts[judged] = counts.get(judged, 0) + 1
        anyway = "yes" if caught_anyway(cls, args.examples) else "no"
        print(f"| {cls.__name__} | {'yes' if keeps else 'no'} | {result} | {judged} | {anyway} |")
    for name in sorted(n for n in vars(readers) if not n.startswith("_")):
        reader = getattr(readers, name)
        if callable(reader) and getattr(reader, "__module__", "") == readers.__name__:
            print(f"| reader {name} | | not applicable (returns a result) | - | |")
    print(f"\n{len(TRUTH)} protocols: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
