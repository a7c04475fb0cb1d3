"""Deterministic real wallets."""

import os
import tempfile
from pathlib import Path

import pytest

from simnet import WalletFactory
from simnet._compat import Wallet


def test_the_same_name_gives_the_same_keys_in_any_directory(tmp_path):
    first = WalletFactory(tmp_path / "a")("alice", "miner")
    second = WalletFactory(tmp_path / "b")("alice", "miner")

    assert isinstance(first, Wallet)
    assert first.hotkey.ss58_address == second.hotkey.ss58_address
    assert first.coldkey.ss58_address == second.coldkey.ss58_address


def test_names_and_hotkeys_give_distinct_keys(tmp_path):
    wallets = WalletFactory(tmp_path)
    alice, alice_miner, bob = wallets("alice"), wallets("alice", "miner"), wallets("bob")

    assert alice.coldkey.ss58_address == alice_miner.coldkey.ss58_address
    hotkeys = {w.hotkey.ss58_address for w in (alice, alice_miner, bob)}
    assert len(hotkeys) == 3
    assert alice.coldkey.ss58_address != bob.coldkey.ss58_address
    assert alice.hotkey.ss58_address != alice.coldkey.ss58_address


def test_key_files_are_unencrypted_and_inside_the_root(tmp_path):
    wallet = WalletFactory(tmp_path)("alice")

    assert Path(wallet.path).resolve() == tmp_path.resolve()
    assert not wallet.coldkey_file.is_encrypted()
    assert not wallet.hotkey_file.is_encrypted()
    reopened = Wallet(name="alice", hotkey="default", path=str(tmp_path))
    assert reopened.hotkey.ss58_address == wallet.hotkey.ss58_address


def test_without_a_root_it_uses_a_temporary_directory_and_removes_it(tmp_path):
    wallets = WalletFactory()
    wallets("alice")
    root = wallets.root

    assert "simnet-wallets-" in root.name
    assert (Path.home() / ".bittensor") not in root.parents
    wallets.close()
    assert not root.exists()


@pytest.mark.skipif(not os.access("/dev/shm", os.W_OK), reason="no memory file system here")
def test_throwaway_wallets_are_written_to_memory_unless_tmpdir_says_otherwise(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("TMPDIR", raising=False)
    in_memory = WalletFactory()
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR once
    on_disk = WalletFactory()
    try:
        assert in_memory.root.parent == Path("/dev/shm")
        assert on_disk.root.parent == tmp_path
    finally:
        in_memory.close()
        on_disk.close()


def test_a_wallet_can_sign_and_verify(tmp_path):
    hotkey = WalletFactory(tmp_path)("alice").hotkey
    assert hotkey.verify(b"message", hotkey.sign(b"message"))


def test_a_nearly_full_memory_file_system_is_not_used(monkeypatch):
    import collections

    from simnet.sandbox import wallets

    monkeypatch.delenv("TMPDIR", raising=False)
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(wallets.shutil, "disk_usage", lambda path: usage(64, 60, 4 * 2**20))
    assert wallets.scratch_dir() is None


def test_the_hotkeys_of_the_reference_headers_are_simnets_deterministic_ones():
    from simnet._wallets import keypair_for
    from simnet.wire.headers import MINER_HOTKEY, VALIDATOR_HOTKEY

    assert keypair_for("hotkey", "miner").ss58_address == MINER_HOTKEY
    assert keypair_for("hotkey", "validator").ss58_address == VALIDATOR_HOTKEY
