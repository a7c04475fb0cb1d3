"""Hypothesis strategies for StreamingSynapse protocols (implements :mod:`simnet.strategies`)."""

from __future__ import annotations

import asyncio
import collections.abc
import functools
import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic import ValidationError

from simnet._compat import Synapse
from simnet.fuzz.chunks import _check, _named
from simnet.fuzz.variations import HeaderChange, HeaderSet, apply_changes
from simnet.wire.headers import METADATA_HEADERS, NUMERIC_HEADERS, axon_response_headers

S = TypeVar("S", bound=Synapse)
T = TypeVar("T")

# Fields every Synapse has; synapses() leaves them to bittensor.
_SYNAPSE_BASE_FIELDS = frozenset(Synapse.model_fields)


def capture_stream(forward: Callable[[Any], Any], synapse: Synapse) -> list[bytes]:
    """The body chunks a miner's real ``forward`` streams for ``synapse``.

    ``forward`` is called as the axon calls it; its token streamer runs with a recording
    ``send``. Use the result as ``payloads(samples=[b"".join(chunks)])`` or replay the
    chunks as they are.
    """
    response = forward(synapse)
    if inspect.isawaitable(response):
        response = asyncio.run(_await(response))
    streamer = getattr(response, "token_streamer", None)
    if streamer is None:
        raise TypeError(f"{forward!r} did not return a streaming response: {response!r}")
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message.get("type") == "http.response.body" and message.get("body"):
            chunks.append(bytes(message["body"]))

    asyncio.run(streamer(send))
    return chunks


async def _await(awaitable: Any) -> Any:
    return await awaitable


@functools.lru_cache(maxsize=1)
def header_changes() -> st.SearchStrategy[tuple[HeaderChange, ...]]:
    """Up to four plausible changes to a real header set; shrinks toward none."""
    known = st.sampled_from(
        [
            *METADATA_HEADERS,
            "bt_header_axon_status_code",
            "bt_header_axon_process_time",
            "bt_header_axon_status_message",
            "bt_header_axon_hotkey",
            "bt_header_dendrite_uuid",
            "bt_header_dendrite_nonce",
            "content-type",
        ]
    )
    numeric = st.sampled_from(NUMERIC_HEADERS)
    bad_numbers = st.sampled_from(
        [
            b"abc",
            b"",
            b"-1",
            b"nan",
            b"inf",
            b"1e999",
            b"0x10",
            b" 12 ",
            b"1,5",
            b"99999999999999999999999",
            "١٢".encode(),
        ]
    )
    odd_values = st.one_of(
        st.sampled_from(["é".encode("latin-1"), "日本".encode(), b"\xff\xfe", b"a\tb"]),
        st.binary(min_size=1, max_size=8).filter(lambda b: b"\r" not in b and b"\n" not in b),
    )
    change = st.one_of(
        st.builds(
            HeaderChange,
            st.just("recase-all"),
            st.just("*"),
            style=st.sampled_from(["lower", "canonical", "upper", "title"]),
        ),
        st.builds(HeaderChange, st.just("drop-underscored"), st.just("*")),
        st.builds(HeaderChange, st.sampled_from(["sort", "reverse"]), st.just("*")),
        st.builds(HeaderChange, st.just("repeat"), known),
        st.builds(
            HeaderChange,
            st.just("recase"),
            known,
            style=st.sampled_from(["upper", "title", "mixed"]),
        ),
        st.builds(HeaderChange, st.just("drop"), known),
        st.builds(HeaderChange, st.just("set"), numeric, bad_numbers),
        st.builds(HeaderChange, st.just("duplicate"), known, odd_values),
        st.builds(HeaderChange, st.just("non-ascii"), known, odd_values),
        st.builds(HeaderChange, st.just("empty"), known),
        st.builds(
            HeaderChange,
            st.just("extra"),
            st.sampled_from(
                [
                    "x-proxy-id",
                    "bt_header_axon_shard_id",
                    "bt_header_dendrite_",
                    "bt_header_input_obj_extra",
                    "BT_HEADER_AXON_REGION",
                ]
            ),
            odd_values,
        ),
    )
    return _named("header_changes", st.lists(change, max_size=4).map(tuple))


def axon_headers(
    synapse: Synapse, *, status: int = 200, changed: bool = True
) -> st.SearchStrategy[HeaderSet]:
    """Header sets for a response to ``synapse``: first exactly as a real axon sends them,
    then (with ``changed``) with re-cased names, dropped metadata, duplicates, malformed
    or out-of-range numbers, non-ASCII, non-UTF-8 and empty values and unknown extras.
    """
    _check(isinstance(synapse, Synapse), f"synapse must be a Synapse instance, not {synapse!r}")
    _check(100 <= status <= 599, f"{status=} must be an HTTP status")
    base = axon_response_headers(synapse, status=status)
    strategy = (
        header_changes().map(lambda changes: apply_changes(base, changes))
        if changed
        else st.just(HeaderSet(tuple(base)))
    )
    return _named("axon_headers", strategy, synapse, status=status, changed=changed)


def synapses(cls: type[S], **fields: Any) -> st.SearchStrategy[S]:
    """Instances of ``cls`` built from its own pydantic fields.

    Pass a value or a strategy for a field to pin it; other fields are drawn from their
    annotations (``Any`` and ``dict[str, Any]`` as JSON values, nested models field by
    field, enums, literals, optional unions), and optional ones shrink toward their
    defaults. A field whose type cannot be drawn keeps its default (see
    :func:`field_notes`); drawn values the class's validators refuse are replaced by the
    defaults of the fields named in the validation error.
    """
    _check(
        isinstance(cls, type) and issubclass(cls, Synapse),
        f"cls must be a Synapse subclass, not {cls!r}",
    )
    unknown = set(fields) - set(cls.model_fields)
    _check(not unknown, f"{cls.__name__} has no field(s) {sorted(unknown)}")
    _check_complete(cls)
    plan = _field_plan(cls)
    for name, why in plan.undrawable.items():
        _check(
            name in fields,
            f"{cls.__name__}.{name}: {why} and the field has no default; pin it with "
            f"synapses({cls.__name__}, {name}=...) or --field {name}=JSON",
        )
    drawn = dict(plan.drawn)
    for name, value in fields.items():
        drawn[name] = value if isinstance(value, st.SearchStrategy) else st.just(value)
    return _named("synapses", _instances(cls, drawn), cls, **fields)


def from_factory(cls: type[S], factory: Callable[..., Any]) -> st.SearchStrategy[S]:
    """The synapses the validator's own builder ``factory`` makes: the only ones a
    validator sends. ``factory`` takes no argument, or one ``random.Random`` (drawn, so
    hypothesis can replay and shrink its choices); what it returns must be a ``cls``."""
    _check(callable(factory), f"factory must be callable, not {factory!r}")
    takes_random = _takes_one_argument(factory)
    made = st.randoms(use_true_random=False).map(factory) if takes_random else st.builds(factory)

    def checked(synapse: Any) -> S:
        if not isinstance(synapse, cls):
            raise InvalidArgument(
                f"synapse factory {_type_name(factory)} returned {synapse!r}, not a {cls.__name__}"
            )
        return synapse

    return _named("from_factory", made.map(checked), cls, factory)


def _takes_one_argument(factory: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return False
    required = [
        p
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    _check(
        len(required) <= 1, f"synapse factory {_type_name(factory)} must take at most one argument"
    )
    return len(required) == 1


def _check_complete(cls: type[pydantic.BaseModel]) -> None:
    """Resolve forward references the class left open, or say which cannot be."""
    if getattr(cls, "__pydantic_complete__", True):
        return
    try:
        cls.model_rebuild()
    except (pydantic.PydanticUserError, pydantic.errors.PydanticUndefinedAnnotation) as exc:
        raise InvalidArgument(f"{cls.__name__} cannot be built: {exc.message}") from None


def field_notes(cls: type[Synapse]) -> list[str]:
    """What :func:`synapses` could not draw for ``cls``, one sentence per field."""
    return list(_field_plan(cls).notes)


JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=16),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
"""Values JSON can carry: what a field typed ``Any`` receives over the wire."""


@dataclass(frozen=True)
class _FieldPlan:
    drawn: dict[str, st.SearchStrategy[Any]]
    notes: tuple[str, ...]
    undrawable: dict[str, str]  # required fields that cannot be drawn: name -> why


@functools.lru_cache(maxsize=256)
def _field_plan(cls: type[Synapse]) -> _FieldPlan:
    drawn: dict[str, st.SearchStrategy[Any]] = {}
    notes: list[str] = []
    undrawable: dict[str, str] = {}
    for name, info in cls.model_fields.items():
        if name in _SYNAPSE_BASE_FIELDS:
            continue
        try:
            strategy = field_strategy(info.annotation)
            strategy.validate()
        except Exception as exc:
            why = f"cannot draw {_type_name(info.annotation)} ({exc})"
            if info.is_required():
                undrawable[name] = why
            else:
                notes.append(f"{cls.__name__}.{name}: {why}; every synapse keeps its default")
            continue
        drawn[name] = _or_default(info, strategy)
    return _FieldPlan(drawn, tuple(notes), undrawable)


def field_strategy(annotation: Any) -> st.SearchStrategy[Any]:
    """Values for a field annotated ``annotation``, as pydantic would accept them."""
    if annotation is Any or annotation is object:
        return JSON_VALUES
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return field_strategy(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return st.one_of(*(field_strategy(arg) for arg in args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (list, collections.abc.Sequence, collections.abc.MutableSequence):
        return st.lists(field_strategy(args[0]) if args else JSON_VALUES, max_size=5)
    if origin in (set, frozenset, collections.abc.Set):
        return st.sets(st.from_type(args[0]) if args else st.integers(), max_size=5)
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        keys, values = args or (str, Any)
        return st.dictionaries(field_strategy(keys), field_strategy(values), max_size=5)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(field_strategy(args[0]), max_size=5).map(tuple)
        return st.tuples(*(field_strategy(arg) for arg in args))
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return _model_strategy(annotation)
    if isinstance(annotation, str | typing.ForwardRef):
        raise InvalidArgument(f"unresolved forward reference {annotation!r}")
    return st.from_type(annotation)


def _model_strategy(model: type[pydantic.BaseModel]) -> st.SearchStrategy[Any]:
    """Nested models, field by field (deferred, so self-referencing models work)."""

    def build() -> st.SearchStrategy[Any]:
        drawn = {
            name: _or_default(info, field_strategy(info.annotation))
            for name, info in model.model_fields.items()
        }
        return _instances(model, drawn)

    return st.deferred(build)


def _or_default(info: Any, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy`` for a required field; for an optional one, its default first."""
    return strategy if info.is_required() else st.one_of(st.just(_MISSING), strategy)


def _instances(cls: type[M], drawn: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[M]:
    """Instances of ``cls`` from drawn field values, skipping those its validators refuse."""
    built = st.fixed_dictionaries(drawn).map(lambda values: _build(cls, values))
    return built.filter(lambda value: value is not None)  # type: ignore[return-value]


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or repr(annotation)


_MISSING = object()
M = TypeVar("M", bound=pydantic.BaseModel)


def _build(cls: type[M], values: dict[str, Any]) -> M | None:
    given = {k: v for k, v in values.items() if v is not _MISSING}
    for _ in range(2):
        try:
            return cls(**given)
        except ValidationError as exc:
            # Give the fields the validators refused (at any depth) their defaults, once.
            refused = {error["loc"][0] for error in exc.errors() if error["loc"]}
            optional = {n for n in refused if n in given and not cls.model_fields[n].is_required()}
            if not optional or optional != refused & set(given):
                return None
            given = {k: v for k, v in given.items() if k not in optional}
    return None
