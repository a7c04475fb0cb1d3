"""The façade: `simnet.__all__` is exactly the public surface."""

import typing

import simnet

PUBLIC = {
    "__version__",
    "AxonHost",
    "BITTENSOR_VERSION",
    "ChainState",
    "FakeSubtensor",
    "LOOPBACK_IP",
    "MinerContext",
    "MinerError",
    "MinerProblem",
    "MemoryConnector",
    "Neuron",
    "OfflineViolation",
    "Registration",
    "ServedAxon",
    "Simnet",
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
