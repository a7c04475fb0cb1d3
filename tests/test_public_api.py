"""The façade: `simnet.__all__` is exactly the public surface."""

import importlib
import types
import typing

import pytest

import simnet

PUBLIC = {
    "__version__",
    "AxonHost",
    "BITTENSOR_VERSION",
    "ChainState",
    "FakeSubtensor",
    "AsyncFakeSubtensor",
    "ChainFaults",
    "ChainRuleError",
    "Hyperparameters",
    "NeuronProcess",
    "NotSimulated",
    "LOOPBACK_IP",
    "MinerContext",
    "MinerError",
    "MinerProblem",
    "MemoryConnector",
    "Neuron",
    "OfflineViolation",
    "Registration",
    "Rehearsal",
    "RehearsalError",
    "RehearsalReport",
    "ServedAxon",
    "Simnet",
    "Stubs",
    "StubsError",
    "OutsideServices",
    "CassetteError",
    "recording",
    "Subnet",
    "Transport",
    "UnknownHotkey",
    "UnknownSubnet",
    "WalletFactory",
    "offline",
}


def test_all_is_exactly_the_public_surface():
    assert set(simnet.__all__) == PUBLIC


def test_every_lazy_export_is_listed_in_all():
    assert set(simnet._EXPORTS) | {"__version__"} == set(simnet.__all__)


def test_every_public_name_resolves_and_is_documented():
    for name in simnet.__all__:
        value = getattr(simnet, name)
        if typing.get_origin(value) is typing.Literal:
            assert typing.get_args(value), name  # a type alias (Transport): its values
        elif callable(value):
            assert value.__doc__, name


def test_unknown_names_raise_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        simnet.Nope  # noqa: B018


PUBLIC_MODULES = {
    "simnet.faults": {
        "ChunkDelay",
        "DripFeed",
        "DisconnectAfter",
        "ErrorStatus",
        "Fault",
        "FaultContext",
        "FaultEvent",
        "FaultPlan",
        "IdleDisconnect",
        "Latency",
        "LostResponse",
        "MutateHeaders",
        "Rechunk",
        "Stall",
        "Truncate",
    },
    "simnet.strategies": {
        "axon_headers",
        "capture_stream",
        "chunkings",
        "from_factory",
        "header_changes",
        "payloads",
        "synapses",
    },
    "simnet.properties": {
        "DEFAULT_SAMPLES",
        "OPTIONAL_PROPERTIES",
        "PROPERTIES",
        "Counterexample",
        "Finding",
        "PropertyFailed",
        "PropertyReport",
        "Sample",
        "StreamOutcome",
        "check_chunking_invariance",
        "check_error_bodies",
        "check_header_contract",
        "check_round_trip",
        "check_yields",
        "run_protocol",
    },
    "simnet.attacks": {
        "ATTACKS",
        "EXPECTED_STATUS",
        "AttackResult",
        "AxonTarget",
        "assert_rejects",
        "attack",
    },
    "simnet.mocking": {"mock_axon"},
    "simnet.adversaries": {
        "ADVERSARIAL_MINERS",
        "ADVERSARIAL_VALIDATORS",
        "AdversarialMiner",
        "AdversarialValidator",
        "Copier",
        "Empty",
        "Garbage",
        "LastSecond",
        "Lazy",
        "Oversized",
        "Replayer",
        "Stale",
        "ValidatorDetector",
        "WeightCopier",
    },
    "simnet.local": {
        "OWNER_STAKE",
        "OWNER_WALLET",
        "STATE_ENV",
        "LocalError",
        "LocalNetwork",
        "default_state_path",
        "serve_forever",
    },
    "simnet.cli": {"main"},
    "simnet.readers": {
        "CLIENTS",
        "ERROR_BODIES",
        "READER_PROPERTIES",
        "Counterexample",
        "Finding",
        "PropertyFailed",
        "PropertyReport",
        "ReadOutcome",
        "check_reader_chunking",
        "check_reader_error_bodies",
        "httpx_response",
        "run_reader",
    },
}


@pytest.mark.parametrize("name", sorted(PUBLIC_MODULES))
def test_each_public_module_exports_exactly_its_all(name):
    module = importlib.import_module(name)
    assert set(module.__all__) == PUBLIC_MODULES[name]
    defined = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)  # submodules
    }
    assert defined == set(module.__all__), "public names outside __all__"
    assert module.__doc__


@pytest.mark.parametrize("name", sorted(PUBLIC_MODULES))
def test_each_public_name_of_a_module_is_documented(name):
    module = importlib.import_module(name)
    for attr in module.__all__:
        value = getattr(module, attr)
        if callable(value):
            assert value.__doc__, f"{name}.{attr}"


def test_a_custom_fault_is_given_the_documented_public_context():
    import inspect

    from simnet import faults

    for hook in ("before_start", "replace_response", "headers", "body_stage"):
        parameter = list(inspect.signature(getattr(faults.Fault, hook)).parameters.values())[1]
        assert parameter.annotation in ("FaultContext", faults.FaultContext), hook
    assert faults.FaultContext.__doc__
