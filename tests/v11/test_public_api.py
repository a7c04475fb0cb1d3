"""The 11.x façade: `simnet.v11.__all__` is exactly its public surface, each name documented."""

import types

import simnet
import simnet.v11

V11 = {
    "SCHEMES",
    "BtAuth",
    "ChainSubstrate",
    "Clock",
    "ContractViolation",
    "Network",
    "NotSimulated",
    "Rejection",
    "ServedApp",
    "UnknownReceiver",
    "Wallets",
    "WeightCommit",
    "assert_rejects_forgeries",
    "epistula_headers",
    "sign_headers",
}


def test_all_is_exactly_the_public_surface_and_documented():
    assert set(simnet.v11.__all__) == V11
    defined = {
        n
        for n, v in vars(simnet.v11).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
    }
    assert defined == V11
    for name in V11:
        value = getattr(simnet.v11, name)
        if callable(value):
            assert value.__doc__, name


def test_the_stack_neutral_names_of_the_top_level_package_resolve_on_11():
    for name in ("BITTENSOR_VERSION", "AxonHost", "ChainState", "MemoryConnector", "offline"):
        assert getattr(simnet, name) is not None


def test_the_adversaries_facade_gives_the_same_names_on_11x():
    import simnet.adversaries

    assert set(simnet.adversaries.__all__) == {
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
    }
    assert simnet.adversaries.Copier.__module__ == "simnet.v11.adversaries"
    for name in simnet.adversaries.__all__:
        assert getattr(simnet.adversaries, name) is not None
