"""The offline guard: no external-IP lookups, nothing beyond loopback.

Each refusal test first swaps the real socket call for a sentinel, so that even a
broken guard could not send a packet anywhere.
"""

import asyncio
import socket

import pytest

import simnet
from simnet._compat import networking
from simnet.sandbox.offline import GUARD, is_local_address


@pytest.fixture
def no_real_network(monkeypatch):
    """Replace the real connect/lookup calls with ones that record and refuse."""
    calls: list[object] = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError(f"the guard let a real network call through: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(networking, "get_external_ip", refuse)
    return calls


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LOCALHOST", "0.0.0.0", "::"]
)
def test_loopback_and_this_host_are_local(host):
    assert is_local_address(host)


@pytest.mark.parametrize("host", ["192.0.2.1", "10.0.0.1", "8.8.8.8", "2001:db8::1", "example.com"])
def test_other_addresses_are_not_local(host):
    assert not is_local_address(host)


def test_a_connection_beyond_loopback_fails_at_once_naming_the_address(no_real_network):
    with simnet.offline(), socket.socket() as sock:
        with pytest.raises(simnet.OfflineViolation, match=r"192\.0\.2\.1:80"):
            sock.connect(("192.0.2.1", 80))
        with pytest.raises(simnet.OfflineViolation, match=r"192\.0\.2\.1:443"):
            sock.connect_ex(("192.0.2.1", 443))
    assert no_real_network == []


def test_a_dns_lookup_of_a_remote_name_fails_naming_it(no_real_network):
    with simnet.offline(), pytest.raises(simnet.OfflineViolation, match=r"'example\.com'"):
        socket.getaddrinfo("example.com", 443)
    assert no_real_network == []


@pytest.mark.asyncio
async def test_asyncio_connections_beyond_loopback_are_refused_too(no_real_network):
    with simnet.offline(), pytest.raises(OSError, match=r"192\.0\.2\.1:8091"):
        await asyncio.open_connection("192.0.2.1", 8091)
    assert no_real_network == []


def test_loopback_connections_go_through():
    with socket.create_server(("127.0.0.1", 0)) as server, simnet.offline():
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            pass


def test_the_external_ip_lookup_answers_loopback_and_is_restored(no_real_network):
    original = networking.get_external_ip
    with simnet.offline():
        assert networking.get_external_ip() == simnet.LOOPBACK_IP
        with simnet.offline():  # nesting keeps the guard on
            pass
        assert networking.get_external_ip() == simnet.LOOPBACK_IP
    assert networking.get_external_ip is original
    assert not GUARD.active


def test_creating_a_dendrite_never_looks_up_the_external_ip(no_real_network):
    with simnet.Simnet() as net:
        dendrite = net.dendrite("validator")
        assert dendrite.external_ip == simnet.LOOPBACK_IP
    assert no_real_network == []


def test_axons_listen_on_loopback_only(simnet, reference_miner):
    axon = simnet.serve(1, reference_miner)

    assert axon.listen_address == ("127.0.0.1", axon.port)
    assert simnet.metagraph(1).axons[axon.uid].ip == "127.0.0.1"
