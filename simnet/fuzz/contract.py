"""The header-contract property: header changes an honest path makes to a response change
nothing a validator sees (judged through the installed bittensor's real dendrite)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from simnet._compat import BITTENSOR_VERSION, Synapse
from simnet.fuzz import strategies
from simnet.fuzz.equality import same
from simnet.fuzz.inputs import SynapseFactory, sendable_note, short, synapse_strategy
from simnet.fuzz.profiles import profile_settings
from simnet.fuzz.runs import Progress, PropertyReport, Runner, base_headers, execute
from simnet.fuzz.validator import Validator, View, reference_extract, terminal_dicts
from simnet.fuzz.variations import HeaderSet, apply_changes, honest_variations

HONEST_SYNAPSES = 5
"""Every honest variation is tried on this many drawn synapses (those bittensor's own
reading accepts); drawn combinations of changes on every one."""


def check_header_contract(
    cls: type[Synapse],
    *,
    synapses: st.SearchStrategy[Synapse] | None = None,
    synapse_factory: SynapseFactory | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """Header variations change nothing a validator sees.

    A response's headers are judged by their effect through the installed bittensor's
    real dendrite (``process_server_response``, ``process_error_message``): what the
    validator ends up with (the answer's status code, message and process time, the
    synapse's fields, an exception escaping the dendrite) is compared with what a
    protocol reading the headers as bittensor does would give. Every honest variation
    (what HTTP/2 and proxies do to a response: see :mod:`simnet.fuzz.variations`) is
    tried on several synapses, then drawn combinations with malformed values. An honest
    variation with an effect is a failure; a malformed value only the miner's own axon
    could send is a note, unless an exception escapes the dendrite or the validator
    credits changed fields; a difference the dendrite masks is a note. A synapse that
    bittensor's own reading cannot take back with unchanged headers is not judged; one
    the protocol fails on with unchanged headers is a note (the validator may never send
    it) unless it comes from ``synapse_factory``. Every root cause is reported once, with
    its smallest example and the other variations that show it.
    """

    def body(runner: Runner) -> Callable[[], None]:
        validator = Validator.shared()
        enumerated: list[bool] = []

        @profile_settings(max_examples)
        @given(synapse=synapse_strategy(cls, synapses, synapse_factory, runner), data=st.data())
        def header_contract(synapse: Synapse, data: st.DataObject) -> None:
            runner.tick()
            judge = _Judge(runner, validator, synapse, sent=synapse_factory is not None)
            changes = data.draw(strategies.header_changes(), label="header changes")
            honest = len(enumerated) < HONEST_SYNAPSES
            variations = honest_variations(list(judge.base)) if honest else [HeaderSet(judge.base)]
            for headers in [*variations, apply_changes(list(judge.base), changes)]:
                if not judge.judge(headers):
                    return  # bittensor's own reading refuses this synapse: nothing to judge
            if honest:
                enumerated.append(True)

        return header_contract

    return execute("header contract", body, seed, progress, cls)


class _Judge:
    """Header sets judged for one synapse: what the validator sees with them, against
    the headers as sent and against bittensor's own reading."""

    def __init__(self, runner: Runner, validator: Validator, synapse: Synapse, *, sent: bool):
        self.runner, self.validator, self.synapse = runner, validator, synapse
        self.validator_sends = sent
        self.base = tuple(base_headers(synapse))
        self.prepared = validator.prepare(synapse)

    def view(self, headers: tuple[tuple[bytes, bytes], ...], **kwargs: Any) -> View:
        return self.runner.loop.run_until_complete(
            self.validator.view(self.prepared, [], headers, **kwargs)
        )

    @functools.cached_property
    def own(self) -> View:
        """What the validator sees with the headers as sent."""
        return self.view(self.base, escapes=False)

    @functools.cached_property
    def reference_holds(self) -> bool:
        """Whether bittensor's own reading takes this synapse back with unchanged headers
        (a class default its own type refuses, ``seed: int = ''``, makes it fail)."""
        reference = self.view(self.base, extract=reference_extract)
        if reference.raised is None and reference.escaped is None:
            return True
        error = reference.raised or reference.escaped
        assert error is not None
        self.runner.note(
            f"bittensor's own reading cannot take back a synapse of this class with the "
            f"headers a real axon sends ({reference.raised_in or 'the dendrite'} raises "
            f"{error[0]}: {short(error[1])}); such synapses are not judged (not a failure)",
            key=("reference", error[0]),
        )
        return False

    def judge(self, headers: HeaderSet) -> bool:
        """Judge one header set; ``False`` when this synapse cannot be judged at all."""
        seen = self.view(headers.raw)
        right = self.view(headers.raw, extract=reference_extract, escapes=bool(seen.escaped))
        what = (
            "; ".join(c.describe() for c in headers.changes)
            or "headers exactly as a real axon sends them"
        )
        example: dict[str, Any] = {"synapse": self.synapse, "headers": headers}
        size = len(headers.changes)
        if seen.escaped and not right.escaped:
            if not self.reference_holds:
                return False
            error = f"{seen.escaped[0]}: {seen.escaped[1]}"
            reason = f"with {what}: {error} escapes the dendrite into the validator"
            key = ("escaped", seen.escaped[0])
            self.runner.find(key, reason, size=size, variant=what, **example)
            return True
        if not (same(seen.terminal, right.terminal) and same(seen.fields, right.fields)):
            if not self.reference_holds:
                return False
            effect = _effect(seen, right, self.own, bool(headers.changes))
            fields = sorted(
                k for k in seen.fields if not same(seen.fields[k], self.own.fields.get(k))
            )
            if effect or (fields and not seen.raised):
                self._differs(seen, right, headers, what, effect, fields)
                return True
        self._masked(seen, right, headers, what)
        return True

    def _differs(
        self,
        seen: View,
        right: View,
        headers: HeaderSet,
        what: str,
        effect: list[str],
        fields: list[str],
    ) -> None:
        parts = [
            f"{k} is {short(seen.terminal[k])} where reading the headers as bittensor does "
            f"gives {short(right.terminal[k])}"
            for k in effect
        ] or [
            f"field {k!r} is {short(seen.fields[k])} instead of {short(self.own.fields.get(k))}"
            for k in fields
        ]
        cause = (
            f" ({seen.raised_in} raised {seen.raised[0]}: {short(seen.raised[1])})"
            if seen.raised
            else ""
        )
        reason = f"with {what}, the validator sees {'; '.join(parts)}{cause}"
        if not headers.changes and seen.raised and not self.validator_sends:
            # The same for every header set: the synapse's doing, not the headers'.
            what_raised = f"{seen.raised_in} raises {seen.raised[0]}"
            self.runner.note(sendable_note(what_raised, self.synapse), key=("sendable",))
            return
        credited = bool(fields) and seen.terminal["status_code"] == 200
        key = ("effect", tuple(effect), tuple(fields))
        example: dict[str, Any] = {"synapse": self.synapse, "headers": headers}
        if headers.honest or credited:
            size = len(headers.changes)
            self.runner.find(key, reason, size=size, variant=what, **example)
        elif key in self.runner.findings:
            self.runner.also(key, what)  # the same root cause, shown by malformed headers too
        else:
            self.runner.note(
                "a miner's own malformed headers change only that miner's result "
                f"(not a failure), for example {reason}",
                key="malformed",  # one example is enough: they are all of one kind
            )

    def _masked(self, seen: View, right: View, headers: HeaderSet, what: str) -> None:
        """Note a protocol misreading honest headers in a way the dendrite corrects."""
        said, meant = terminal_dicts(seen.extracted), terminal_dicts(right.extracted)
        if not headers.honest or same(said, meant):
            return
        if not headers.changes or not same(said, terminal_dicts(self.own.extracted)):
            self.runner.note(
                f"no effect on bittensor {BITTENSOR_VERSION} (not a failure): with {what}, "
                f"extract_response_json returns axon {short(said.get('axon'))} where the "
                f"headers say {short(meant.get('axon'))}; the dendrite's own header merge "
                "corrects it",
                key=("masked", repr(said)),
            )


def _effect(seen: View, right: View, own: View, changed: bool) -> list[str]:
    """The terminal keys where the validator sees something else than with the headers a
    real axon sends (``own``) and than a protocol reading these headers as bittensor does
    (``right``) would give; with unchanged headers, those where the protocol raised and
    the reference did not. Two errors of the same status count as the same."""
    if changed:
        keys = [
            k
            for k in seen.terminal
            if not same(seen.terminal[k], own.terminal[k])
            and not same(seen.terminal[k], right.terminal[k])
        ]
    elif seen.raised and not right.raised:
        keys = [k for k in seen.terminal if not same(seen.terminal[k], right.terminal[k])]
    else:
        keys = []
    code = seen.terminal["dendrite_status_code"]
    if code == right.terminal["dendrite_status_code"] and code not in (200, "200", None):
        keys = [k for k in keys if k != "dendrite_status_message"]
    return keys
