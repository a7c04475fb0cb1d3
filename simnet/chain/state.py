"""The chain state: subnets, registrations, axon addresses, weights, hyperparameters and blocks.

Kept in sqlite: in memory for one process (the default), or in a file shared by several
processes (``ChainState(path)``), safe for concurrent readers and writers (WAL journal,
immediate write transactions, a busy timeout). A file that is missing, locked, corrupt
or written by a newer simnet gives a :class:`ChainStateError` that says so.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simnet.chain import balances, commitments, epochs, reveal
from simnet.chain.commitments import Commitment, Field, Usage
from simnet.chain.epochs import Epoch
from simnet.chain.faults import ChainFaults
from simnet.chain.hyperparams import DEFAULTS, Hyperparameters
from simnet.chain.pruning import Owner, neuron_to_prune
from simnet.chain.rules import (
    ChainRuleError,
    WeightsCall,
    check_axon,
    check_registration,
    check_weights,
)

SCHEMA_VERSION = 3
BLOCK_SECONDS = 12.0  # a real chain's block time; a file's block advances with the clock
_BUSY_TIMEOUT_MS = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subnets (
    netuid INTEGER PRIMARY KEY,
    owner_coldkey TEXT,
    owner_hotkey TEXT,
    last_epoch INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS neurons (
    netuid INTEGER NOT NULL REFERENCES subnets(netuid),
    uid INTEGER NOT NULL,
    hotkey TEXT NOT NULL,
    coldkey TEXT NOT NULL,
    stake REAL NOT NULL DEFAULT 0,
    validator_permit INTEGER NOT NULL DEFAULT 0,
    axon_ip TEXT,
    axon_port INTEGER,
    last_seen REAL,
    last_update INTEGER NOT NULL DEFAULT 0,
    registered_at INTEGER NOT NULL DEFAULT 0,
    emission INTEGER NOT NULL DEFAULT 0,
    consensus INTEGER NOT NULL DEFAULT 0,
    incentive INTEGER NOT NULL DEFAULT 0,
    dividends INTEGER NOT NULL DEFAULT 0,
    validator_trust INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (netuid, uid),
    UNIQUE (netuid, hotkey)
);
CREATE TABLE IF NOT EXISTS weights (
    netuid INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    target INTEGER NOT NULL,
    weight INTEGER NOT NULL,
    PRIMARY KEY (netuid, uid, target)
);
CREATE TABLE IF NOT EXISTS bonds (
    netuid INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    target INTEGER NOT NULL,
    bond INTEGER NOT NULL,
    PRIMARY KEY (netuid, uid, target)
);
CREATE TABLE IF NOT EXISTS hyperparameters (
    netuid INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (netuid, name)
);
CREATE TABLE IF NOT EXISTS epoch_index (
    netuid INTEGER PRIMARY KEY,
    epoch INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS commitments (
    netuid INTEGER NOT NULL,
    hotkey TEXT NOT NULL,
    block INTEGER NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY (netuid, hotkey)
);
CREATE TABLE IF NOT EXISTS commitment_space (
    netuid INTEGER NOT NULL,
    hotkey TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (netuid, hotkey)
);
CREATE TABLE IF NOT EXISTS revealed_commitments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    netuid INTEGER NOT NULL,
    hotkey TEXT NOT NULL,
    data BLOB NOT NULL,
    block INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS weight_commits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    netuid INTEGER NOT NULL,
    hotkey TEXT NOT NULL,
    hash TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    block INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS timelocked_commits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    netuid INTEGER NOT NULL,
    hotkey TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    block INTEGER NOT NULL,
    reveal_round INTEGER NOT NULL,
    commit_bytes BLOB NOT NULL,
    payload TEXT
);
CREATE TABLE IF NOT EXISTS balances (
    coldkey TEXT PRIMARY KEY,
    free INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reveal_periods (
    netuid INTEGER PRIMARY KEY,
    epochs INTEGER NOT NULL
);
"""
# Tables since schema 3 (commitments, commit-reveal, the epoch index) are created when
# an older file is opened (CREATE TABLE IF NOT EXISTS), empty: no version bump needed.
# What each epoch writes per uid (u16 values, emission in rao), besides the permits.
_EPOCH_FIELDS = ("emission", "consensus", "incentive", "dividends", "validator_trust")
# Columns added since schema 1, for files an older simnet wrote.
_ADDED_COLUMNS = {
    "neurons": {
        "last_update": "INTEGER NOT NULL DEFAULT 0",
        "registered_at": "INTEGER NOT NULL DEFAULT 0",
        **{name: "INTEGER NOT NULL DEFAULT 0" for name in _EPOCH_FIELDS},
        "active": "INTEGER NOT NULL DEFAULT 1",
    },
    "subnets": {
        "owner_coldkey": "TEXT",
        "owner_hotkey": "TEXT",
        "last_epoch": "INTEGER NOT NULL DEFAULT 0",
    },
}


class ChainStateError(Exception):
    """The chain state file cannot be used; the message says why, naming the file."""


class UnknownSubnet(LookupError):
    """Raised when a netuid names no subnet in the chain state."""


class UnknownHotkey(LookupError):
    """Raised when a hotkey is not registered on the subnet asked about."""


@dataclass(frozen=True)
class Neuron:
    """One registration on a subnet, as the chain records it."""

    netuid: int
    uid: int
    hotkey: str
    coldkey: str
    stake: float = 0.0
    validator_permit: bool = False
    axon_ip: str | None = None
    axon_port: int | None = None
    last_seen: float | None = None
    last_update: int = 0
    """The block of the registration, then of each accepted ``set_weights``."""
    registered_at: int = 0
    """The block the neuron registered at."""
    emission: int = 0
    """Rao (alpha) the last epoch gave this uid."""
    consensus: int = 0
    incentive: int = 0
    dividends: int = 0
    validator_trust: int = 0
    """The last epoch's values as the chain stores them (u16; 65535 = 1.0)."""
    active: bool = True
    """Set weights within the activity cutoff at the last epoch (True until one ran)."""

    @property
    def serving(self) -> bool:
        """True once an axon address has been recorded for this neuron."""
        return self.axon_ip is not None and self.axon_port is not None


_NEURON_COLUMNS = (
    "netuid, uid, hotkey, coldkey, stake, validator_permit, axon_ip, axon_port, last_seen, "
    "last_update, registered_at, emission, consensus, incentive, dividends, validator_trust, "
    "active"
)


_SELECT_NEURONS = f"SELECT {_NEURON_COLUMNS} FROM neurons WHERE netuid = ? ORDER BY uid"


@dataclass(frozen=True)
class Replacement:
    """A registration into a full subnet took ``uid`` from ``old_hotkey``."""

    netuid: int
    uid: int
    old_hotkey: str
    new_hotkey: str
    block: int


def _rows(db: sqlite3.Connection, table: str, column: str, netuid: int) -> dict[int, list[Any]]:
    """A weights-shaped table of ``netuid`` as ``{uid: [(target, value), ...]}``."""
    rows: dict[int, list[Any]] = {}
    for uid, target, value in db.execute(
        f"SELECT uid, target, {column} FROM {table} WHERE netuid = ? ORDER BY uid, target",
        (netuid,),
    ):
        rows.setdefault(uid, []).append((target, value))
    return rows


def _neuron(row: Sequence[Any]) -> Neuron:
    netuid, uid, hotkey, coldkey, stake, permit, ip, port, seen, *numbers, active = row
    counts = dict(zip(_COUNTED, numbers, strict=True))
    return Neuron(
        netuid, uid, hotkey, coldkey, float(stake), bool(permit), ip, port, seen, **counts,
        active=bool(active),
    )  # fmt: skip


_COUNTED = ("last_update", "registered_at", *_EPOCH_FIELDS)


class ChainState:
    """Subnets, neurons, weights and a block counter in sqlite.

    ``ChainState()`` lives in memory and its block moves only when told (:meth:`advance`);
    ``ChainState(path)`` lives in a file other processes can open too, and its block also
    advances by one every 12 s of wall-clock time. ``block_seconds`` sets that clock
    (e.g. ``0.05``, so an epoch of 100 blocks takes 5 s; ``None`` keeps the file's).
    Listeners registered with :meth:`subscribe` are called after every change made
    through this object, which is how simnet keeps its metagraphs in step.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        create: bool = True,
        busy_timeout: float = _BUSY_TIMEOUT_MS / 1000,
        block_seconds: float | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._listeners: list[Callable[[int], None]] = []
        self.replacements: list[Replacement] = []
        """Every uid a registration made through this object replaced, in order."""
        self._held: set[int] | None = None
        self.faults = ChainFaults()
        """Chain faults of this process's subtensor doubles over this state."""
        self._db = self._connect(create)
        # closed when the state is collected, as sqlite3 asks (3.13 warns of an unclosed one)
        weakref.finalize(self, self._db.close)
        if block_seconds is not None:
            self.block_seconds = block_seconds

    # -- opening -------------------------------------------------------------------------
    def _connect(self, create: bool) -> sqlite3.Connection:
        if self.path is None:
            db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            db.executescript(_SCHEMA)
            self._init_meta(db, clock=False)
            return db
        if not self.path.exists() and not create:
            raise ChainStateError(
                f"no simnet chain state at {self.path}: start a miner with "
                "--subtensor.network simnet, or run `simnet register`"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(
                self.path,
                check_same_thread=False,
                isolation_level=None,
                timeout=self.busy_timeout,
            )
            try:
                self._enable_wal(db)
                with self._write(db):
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        db.execute(statement)
                    self._init_meta(db, clock=True)
                    self._check_version(db)
                    self._migrate(db)
            except BaseException:
                db.close()  # a file it refuses leaves no connection behind
                raise
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from exc
        return db

    def _enable_wal(self, db: sqlite3.Connection) -> None:
        # Switching a new file to WAL takes an exclusive lock and sqlite does not wait for
        # it (no busy handler), so processes creating the file together retry here.
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _init_meta(self, db: sqlite3.Connection, *, clock: bool) -> None:
        defaults = {
            "schema_version": str(SCHEMA_VERSION),
            "block_offset": "0",
            "genesis": str(time.time()) if clock else "",
            "block_seconds": str(BLOCK_SECONDS),
        }
        for key, value in defaults.items():
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _check_version(self, db: sqlite3.Connection) -> None:
        (version,) = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if int(version) > SCHEMA_VERSION:
            raise ChainStateError(
                f"{self.path} was written by a newer simnet (schema {version}); this simnet "
                f"reads schema {SCHEMA_VERSION} and older: upgrade simnet, or `simnet reset`"
            )

    def _migrate(self, db: sqlite3.Connection) -> None:
        epochs_known = "last_epoch" in {row[1] for row in db.execute("PRAGMA table_info(subnets)")}
        for table, added in _ADDED_COLUMNS.items():
            columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for name, declaration in added.items():
                if name not in columns:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
        if not epochs_known:  # a file from before epochs: they start from now
            db.execute("UPDATE subnets SET last_epoch = ?", (self._block(self._meta(db)),))
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))

    def _error(self, exc: sqlite3.Error) -> ChainStateError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return ChainStateError(
                f"{self.path} is locked by another process (waited {self.busy_timeout:g} s)"
            )
        if "not a database" in text or "malformed" in text:
            return ChainStateError(
                f"{self.path} is not a simnet chain state (corrupt: {text}); "
                "remove it with `simnet reset`"
            )
        return ChainStateError(f"{self.path}: {text}")

    @contextmanager
    def _write(self, db: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        db = db or self._db
        with self._lock:
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                raise self._error(exc) from exc

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from exc

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def keep_in_memory(self) -> None:
        """Copy the state into memory and close the file, which may then be removed: a
        network whose host processes shared the file is still read after it closes."""
        with self._lock:
            if self.path is None:
                return
            memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._db.backup(memory)
            self._db.close()
            self._db, self.path = memory, None
            weakref.finalize(self, memory.close)

    # -- blocks --------------------------------------------------------------------------
    @property
    def block(self) -> int:
        """The current block number."""
        return self._block(dict(self._read("SELECT key, value FROM meta")))

    @staticmethod
    def _meta(db: sqlite3.Connection) -> dict[str, str]:
        return dict(db.execute("SELECT key, value FROM meta").fetchall())

    @staticmethod
    def _block(meta: dict[str, str]) -> int:
        elapsed = time.time() - float(meta["genesis"]) if meta["genesis"] else 0.0
        return int(meta["block_offset"]) + int(elapsed // float(meta["block_seconds"]))

    @property
    def block_seconds(self) -> float | None:
        """Seconds per block of the clock, or ``None`` when blocks move only on :meth:`advance`."""
        meta = dict(self._read("SELECT key, value FROM meta"))
        return float(meta["block_seconds"]) if meta["genesis"] else None

    @block_seconds.setter
    def block_seconds(self, seconds: float | None) -> None:
        if seconds is not None and not seconds > 0:
            raise ValueError(f"block_seconds={seconds} must be positive, or None to stop the clock")
        with self._write() as db:
            block = self._block(dict(db.execute("SELECT key, value FROM meta").fetchall()))
            changes = {
                "block_offset": str(block),  # the clock restarts from the current block
                "genesis": "" if seconds is None else str(time.time()),
                "block_seconds": str(seconds or BLOCK_SECONDS),
            }
            db.executemany(
                "UPDATE meta SET value = ? WHERE key = ?", [(v, k) for k, v in changes.items()]
            )

    def advance(self, blocks: int = 1) -> int:
        """Move the chain ``blocks`` forward and return the new block number."""
        if blocks < 0:
            raise ValueError(f"{blocks=} must not be negative")
        with self._write() as db:
            db.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'block_offset'",
                (blocks,),
            )
        self._catch_up()
        return self.block

    # -- subnets and neurons -------------------------------------------------------------
    def subscribe(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(netuid)`` after each change to a subnet made through this object."""
        self._listeners.append(listener)

    def create_subnet(
        self, netuid: int, *, owner_coldkey: str | None = None, owner_hotkey: str | None = None
    ) -> bool:
        """Create subnet ``netuid`` if it does not exist yet; True if it was created.

        ``owner_coldkey`` / ``owner_hotkey``: the subnet's owner, whose hotkeys a full
        subnet never replaces (see :mod:`simnet.chain.pruning`). Its first epoch is due
        ``tempo`` blocks after ``block - netuid % 360``, as the chain staggers subnets."""
        if not 0 <= netuid < 2**16:
            raise ValueError(f"{netuid=} must be in 0..65535")
        with self._write() as db:
            # the chain staggers subnets' epochs: a new one's last epoch is block - netuid % tempo
            block = self._block(self._meta(db))
            first = max(0, block - netuid % DEFAULTS.tempo)
            created = db.execute(
                "INSERT OR IGNORE INTO subnets (netuid, owner_coldkey, owner_hotkey, last_epoch)"
                " VALUES (?, ?, ?, ?)",
                (netuid, owner_coldkey, owner_hotkey, first),
            ).rowcount
        return bool(created)

    def set_owner(self, netuid: int, coldkey: str, hotkey: str | None = None) -> None:
        """Make ``coldkey`` (and its ``hotkey``) the owner of ``netuid``."""
        self.require_subnet(netuid)
        with self._write() as db:
            db.execute(
                "UPDATE subnets SET owner_coldkey = ?, owner_hotkey = ? WHERE netuid = ?",
                (coldkey, hotkey, netuid),
            )

    def owner(self, netuid: int) -> Owner:
        """The owner of ``netuid`` (unknown parts are ``None``)."""
        self.require_subnet(netuid)
        ((coldkey, hotkey),) = self._read(
            "SELECT owner_coldkey, owner_hotkey FROM subnets WHERE netuid = ?", (netuid,)
        )
        return Owner(coldkey, hotkey)

    def netuids(self) -> list[int]:
        """The netuids of all subnets, in order."""
        return [row[0] for row in self._read("SELECT netuid FROM subnets ORDER BY netuid")]

    def require_subnet(self, netuid: int) -> None:
        """An :class:`UnknownSubnet` naming ``netuid`` and the subnets there are, unless it
        exists."""
        if not self._read("SELECT 1 FROM subnets WHERE netuid = ?", (netuid,)):
            known = ", ".join(map(str, self.netuids())) or "none"
            raise UnknownSubnet(f"netuid {netuid} does not exist (subnets: {known})")

    def neurons(self, netuid: int) -> list[Neuron]:
        """The neurons of subnet ``netuid``, ordered by uid."""
        self.require_subnet(netuid)
        self._catch_up()
        rows = self._read(
            f"SELECT {_NEURON_COLUMNS} FROM neurons WHERE netuid = ? ORDER BY uid", (netuid,)
        )
        return [_neuron(row) for row in rows]

    def neuron(self, netuid: int, hotkey: str) -> Neuron:
        """The neuron registered with ``hotkey`` on ``netuid``."""
        self.require_subnet(netuid)
        rows = self._read(
            f"SELECT {_NEURON_COLUMNS} FROM neurons WHERE netuid = ? AND hotkey = ?",
            (netuid, hotkey),
        )
        if not rows:
            raise UnknownHotkey(f"hotkey {hotkey} is not registered on netuid {netuid}")
        return _neuron(rows[0])

    def neuron_at(self, netuid: int, uid: int) -> Neuron | None:
        """The neuron holding ``uid`` on ``netuid`` (``None`` if the uid is not taken)."""
        self.require_subnet(netuid)
        rows = self._read(
            f"SELECT {_NEURON_COLUMNS} FROM neurons WHERE netuid = ? AND uid = ?", (netuid, uid)
        )
        return _neuron(rows[0]) if rows else None

    def is_registered(self, netuid: int, hotkey: str) -> bool:
        """True if ``hotkey`` holds a uid on ``netuid``."""
        rows = self._read("SELECT 1 FROM neurons WHERE netuid = ? AND hotkey = ?", (netuid, hotkey))
        return bool(rows)

    def register(
        self,
        netuid: int,
        hotkey: str,
        coldkey: str,
        *,
        stake: float = 0.0,
        validator_permit: bool = False,
    ) -> Neuron:
        """Give ``hotkey`` a uid on ``netuid`` (creating the subnet if needed): the next
        one, or in a full subnet (``max_allowed_uids``) the one the chain replaces (see
        :mod:`simnet.chain.pruning`; :attr:`replacements` records it), with that uid's
        state cleared as the chain clears it. A full subnet with no uid to give raises
        :class:`~simnet.chain.rules.ChainRuleError` ``NoNeuronIdAvailable``.

        Registering a hotkey that already holds a uid there returns that neuron unchanged.
        """
        if stake < 0:
            raise ValueError(f"{stake=} must not be negative")
        self.create_subnet(netuid)
        self._catch_up()
        with self._write() as db:
            existing = db.execute(
                "SELECT uid FROM neurons WHERE netuid = ? AND hotkey = ?", (netuid, hotkey)
            ).fetchone()
            if existing is None:
                new = (hotkey, coldkey, stake, int(validator_permit))
                self._seat(db, netuid, new, self._block(self._meta(db)))
        if existing is None:
            self._notify(netuid)
        return self.neuron(netuid, hotkey)

    def _seat(
        self, db: sqlite3.Connection, netuid: int, new: tuple[str, str, float, int], block: int
    ) -> None:
        """Append the new neuron, or replace the uid the chain prunes (a full subnet)."""
        neurons = [_neuron(row) for row in db.execute(_SELECT_NEURONS, (netuid,))]
        params = self._params(db, netuid)
        if len(neurons) < params.max_allowed_uids:
            db.execute(
                "INSERT INTO neurons (netuid, uid, hotkey, coldkey, stake, validator_permit,"
                " last_update, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (netuid, len(neurons), *new, block, block),
            )
            return
        ((coldkey, hotkey),) = db.execute(
            "SELECT owner_coldkey, owner_hotkey FROM subnets WHERE netuid = ?", (netuid,)
        ).fetchall()
        uid = neuron_to_prune(
            neurons,
            block=block,
            immunity_period=params.immunity_period,
            min_non_immune_uids=params.min_non_immune_uids,
            owner=Owner(coldkey, hotkey),
            immune_owner_limit=params.immune_owner_uids_limit,
        )
        if uid is None:
            raise ChainRuleError(
                "NoNeuronIdAvailable",
                f"netuid {netuid} is full ({params.max_allowed_uids} uids) and every uid is "
                "the owner's",
            )
        replaced = neurons[uid]
        db.execute(
            "UPDATE neurons SET hotkey = ?, coldkey = ?, stake = ?, validator_permit = ?,"
            " axon_ip = NULL, axon_port = NULL, last_seen = NULL, last_update = ?,"
            " registered_at = ?, emission = 0, consensus = 0, incentive = 0, dividends = 0,"
            " validator_trust = 0, active = 1 WHERE netuid = ? AND uid = ?",
            (*new, block, block, netuid, uid),
        )
        db.execute("DELETE FROM bonds WHERE netuid = ? AND uid = ?", (netuid, uid))
        db.execute("DELETE FROM weights WHERE netuid = ? AND uid = ?", (netuid, uid))
        db.execute("UPDATE weights SET weight = 0 WHERE netuid = ? AND target = ?", (netuid, uid))
        self.replacements.append(Replacement(netuid, uid, replaced.hotkey, new[0], block))

    def burned_register(self, netuid: int, hotkey: str, coldkey: str) -> Neuron:
        """A ``burned_register`` extrinsic: :meth:`register` under the chain's rules
        (:func:`~simnet.chain.rules.check_registration`): no new subnet, no second uid, a
        coldkey holding the subnet's :meth:`burn`, which the registration takes from it."""
        exists = bool(self._read("SELECT 1 FROM subnets WHERE netuid = ?", (netuid,)))
        registered = exists and self.is_registered(netuid, hotkey)
        burn = self.burn(netuid) if exists else 0
        check_registration(
            netuid,
            hotkey,
            exists=exists,
            registered=registered,
            balance=self.balance(coldkey),
            burn=burn,
        )
        neuron = self.register(netuid, hotkey, coldkey)
        self.set_balance(coldkey, self.balance(coldkey) - burn)
        return neuron

    # -- balances ------------------------------------------------------------------------
    def balance(self, coldkey: str) -> int:
        """``coldkey``'s free balance in rao (:data:`~simnet.chain.balances.STARTING_BALANCE`
        until something debits it)."""
        rows = self._read("SELECT free FROM balances WHERE coldkey = ?", (coldkey,))
        return int(rows[0][0]) if rows else balances.STARTING_BALANCE

    def set_balance(self, coldkey: str, rao: int) -> None:
        """Set ``coldkey``'s free balance to ``rao``."""
        if rao < 0:
            raise ValueError(f"{rao=} must not be negative")
        with self._write() as db:
            db.execute(
                "INSERT INTO balances (coldkey, free) VALUES (?, ?)"
                " ON CONFLICT(coldkey) DO UPDATE SET free = excluded.free",
                (coldkey, int(rao)),
            )

    def burn(self, netuid: int) -> int:
        """Rao a registration on ``netuid`` burns (the chain's ``Burn``)."""
        self.require_subnet(netuid)
        return balances.REGISTRATION_BURN

    def serve(
        self,
        netuid: int,
        hotkey: str,
        ip: int,
        ip_type: int,
        port: int,
        *,
        address_for: Callable[[str, str, int], tuple[str, int]] | None = None,
    ) -> Neuron:
        """A ``serve_axon`` extrinsic: the hotkey must hold a uid on ``netuid``, the address
        must pass :func:`~simnet.chain.rules.check_axon`; ``address_for`` maps the advertised
        address to the one recorded (a stack's own serving)."""
        if not self.is_registered(netuid, hotkey):
            raise ChainRuleError("HotKeyNotRegisteredInNetwork", f"{hotkey} on netuid {netuid}")
        address = check_axon(ip, ip_type, port)
        if address_for is not None:
            address, port = address_for(hotkey, address, port)
        return self.serve_axon(netuid, hotkey, address, port)

    def serve_axon(self, netuid: int, hotkey: str, ip: str, port: int) -> Neuron:
        """Record that ``hotkey``'s axon on ``netuid`` is reachable at ``ip:port``."""
        return self._update(netuid, hotkey, axon_ip=ip, axon_port=port, last_seen=time.time())

    def seen(self, netuid: int, hotkey: str) -> Neuron:
        """Record that ``hotkey`` is alive now (a serving miner's heartbeat)."""
        return self._update(netuid, hotkey, last_seen=time.time())

    def _update(self, netuid: int, hotkey: str, **changes: Any) -> Neuron:
        self.neuron(netuid, hotkey)  # raises for unknown subnets and hotkeys
        columns = ", ".join(f"{name} = ?" for name in changes)
        with self._write() as db:
            db.execute(
                f"UPDATE neurons SET {columns} WHERE netuid = ? AND hotkey = ?",
                (*changes.values(), netuid, hotkey),
            )
        self._notify(netuid)
        return self.neuron(netuid, hotkey)

    # -- weights -------------------------------------------------------------------------
    def set_weights(
        self,
        netuid: int,
        hotkey: str,
        uids: Sequence[int],
        weights: Sequence[float],
        *,
        version_key: int = 0,
    ) -> list[tuple[int, int]]:
        """Set ``hotkey``'s weights on ``netuid`` as the chain does: checked against the
        subnet's rules and hyperparameters (:class:`~simnet.chain.rules.ChainRuleError`
        naming the chain's error), stored as u16 with the largest at 65535, and the
        neuron's ``last_update`` moved to the current block. Returns what was stored."""
        self._catch_up()
        if self.hyperparameters(netuid).commit_reveal_weights_enabled:
            raise ChainRuleError(
                "CommitRevealEnabled", f"netuid {netuid}: commit weights, then reveal them"
            )
        neuron = self.neuron(netuid, hotkey)
        call = WeightsCall(
            uid=neuron.uid,
            uids=[int(u) for u in uids],
            weights=[float(w) for w in weights],
            version_key=version_key,
            block=self.block,
            last_update=neuron.last_update,
            validator_permit=neuron.validator_permit,
            subnet_size=len(self.neurons(netuid)),
        )
        values = check_weights(call, self.hyperparameters(netuid))
        stored = sorted((u, v) for u, v in zip(call.uids, values, strict=True) if v)
        with self._write() as db:
            db.execute("DELETE FROM weights WHERE netuid = ? AND uid = ?", (netuid, neuron.uid))
            db.executemany(
                "INSERT INTO weights VALUES (?, ?, ?, ?)",
                [(netuid, neuron.uid, target, value) for target, value in stored],
            )
            db.execute(
                "UPDATE neurons SET last_update = ? WHERE netuid = ? AND uid = ?",
                (call.block, netuid, neuron.uid),
            )
        self._notify(netuid)
        return stored

    # -- hyperparameters -----------------------------------------------------------------
    def hyperparameters(self, netuid: int) -> Hyperparameters:
        """Subnet ``netuid``'s hyperparameters (the chain's defaults unless set)."""
        self.require_subnet(netuid)
        with self._lock:
            return self._params(self._db, netuid)

    @staticmethod
    def _params(db: sqlite3.Connection, netuid: int) -> Hyperparameters:
        rows = db.execute(
            "SELECT name, value FROM hyperparameters WHERE netuid = ?", (netuid,)
        ).fetchall()
        return DEFAULTS.replace(**{name: json.loads(value) for name, value in rows})

    def set_hyperparameters(self, netuid: int, **values: Any) -> Hyperparameters:
        """Set some of ``netuid``'s hyperparameters (e.g. ``tempo=10``), as its owner would."""
        params = self.hyperparameters(netuid).replace(**values)
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO hyperparameters VALUES (?, ?, ?)",
                [(netuid, name, json.dumps(getattr(params, name))) for name in values],
            )
        self._notify(netuid)
        return params

    def weights(self, netuid: int, uid: int) -> list[tuple[int, int]]:
        """The (target uid, u16 weight) pairs ``uid`` set on ``netuid``."""
        rows = self._read(
            "SELECT target, weight FROM weights WHERE netuid = ? AND uid = ? ORDER BY target",
            (netuid, uid),
        )
        return [(target, weight) for target, weight in rows]

    # -- epochs ----------------------------------------------------------------------------
    def last_epoch(self, netuid: int) -> int:
        """The block of ``netuid``'s last epoch (its creation block before the first)."""
        self.require_subnet(netuid)
        ((block,),) = self._read("SELECT last_epoch FROM subnets WHERE netuid = ?", (netuid,))
        return int(block)

    def run_epoch(self, netuid: int) -> Epoch:
        """Run ``netuid``'s epoch now, at the current block (the next one is due ``tempo``
        blocks later), as if the chain had fired it."""
        self.require_subnet(netuid)
        self._catch_up()
        with self._write() as db:
            epoch = self._epoch(db, netuid, self._block(self._meta(db)))
        self._notify(netuid)
        return epoch

    def _catch_up(self) -> list[Epoch]:
        """Run every epoch due by the current block, in order: every ``tempo`` blocks
        after a subnet's last epoch, each at its own block."""
        if not self._due():
            return []
        ran: list[Epoch] = []
        with self._write() as db:
            block = self._block(self._meta(db))
            for (netuid,) in db.execute("SELECT netuid FROM subnets ORDER BY netuid").fetchall():
                tempo = self._params(db, netuid).tempo
                (last,) = db.execute(
                    "SELECT last_epoch FROM subnets WHERE netuid = ?", (netuid,)
                ).fetchone()
                while tempo and block - last >= tempo:
                    last += tempo
                    ran.append(self._epoch(db, netuid, last))
        for netuid in sorted({epoch.netuid for epoch in ran}):
            self._notify(netuid)
        return ran

    def _due(self) -> bool:
        with self._lock:
            block = self._block(self._meta(self._db))
            for netuid, last in self._db.execute("SELECT netuid, last_epoch FROM subnets"):
                tempo = self._params(self._db, netuid).tempo
                if tempo and block - last >= tempo:
                    return True
        return False

    def _epoch(self, db: sqlite3.Connection, netuid: int, block: int) -> Epoch:
        """Run one epoch of ``netuid`` at ``block`` and store what it leaves: first the
        timelocked weight commits due in the epoch it opens are revealed (the chain
        reveals them in the block, before the coinbase runs the epoch), and afterwards
        the subnet's epoch index counts it."""
        index = self._epoch_index(db, netuid)
        self._reveal_timelocked(db, netuid, block, index + 1)
        neurons = [_neuron(row) for row in db.execute(_SELECT_NEURONS, (netuid,))]
        (last, owner_hotkey) = db.execute(
            "SELECT last_epoch, owner_hotkey FROM subnets WHERE netuid = ?", (netuid,)
        ).fetchone()
        epoch = epochs.run(
            netuid,
            neurons,
            _rows(db, "weights", "weight", netuid),
            _rows(db, "bonds", "bond", netuid),
            self._params(db, netuid),
            block=block,
            last_epoch=last,
            owner_hotkey=owner_hotkey,
        )
        r = epoch.result
        db.executemany(
            "UPDATE neurons SET emission = ?, consensus = ?, incentive = ?, dividends = ?,"
            " validator_trust = ?, validator_permit = ?, active = ? WHERE netuid = ? AND uid = ?",
            [
                (
                    int(r.emission[uid]),
                    int(r.consensus[uid]),
                    int(r.incentive[uid]),
                    int(r.dividends[uid]),
                    int(r.validator_trust[uid]),
                    int(r.validator_permit[uid]),
                    int(r.active[uid]),
                    netuid,
                    uid,
                )
                for uid in range(len(neurons))
            ],
        )
        db.execute("DELETE FROM bonds WHERE netuid = ?", (netuid,))
        db.executemany(
            "INSERT INTO bonds VALUES (?, ?, ?, ?)",
            [
                (netuid, uid, target, int(value))
                for uid, row in enumerate(r.bonds)
                for target, value in enumerate(row)
                if value
            ],
        )
        db.execute("UPDATE subnets SET last_epoch = ? WHERE netuid = ?", (block, netuid))
        db.execute(
            "INSERT OR REPLACE INTO epoch_index (netuid, epoch) VALUES (?, ?)", (netuid, index + 1)
        )
        return epoch

    def bonds(self, netuid: int, uid: int) -> list[tuple[int, int]]:
        """The (target uid, u16 bond) pairs of validator ``uid`` after the last epoch."""
        rows = self._read(
            "SELECT target, bond FROM bonds WHERE netuid = ? AND uid = ? ORDER BY target",
            (netuid, uid),
        )
        return [(target, bond) for target, bond in rows]

    # -- commitments ---------------------------------------------------------------------
    def set_commitment(self, netuid: int, hotkey: str, fields: Sequence[Field]) -> Commitment:
        """``Commitments.set_commitment`` by ``hotkey`` on ``netuid``, under the pallet's
        rules (:mod:`simnet.chain.commitments`: a registered hotkey, at most three fields,
        the per-epoch space budget); it replaces the hotkey's commitment on the subnet."""
        self._catch_up()
        fields = tuple(fields)
        with self._write() as db:
            block = self._block(self._meta(db))
            self._reveal_commitments(db, block)
            registered = db.execute(
                "SELECT 1 FROM neurons WHERE netuid = ? AND hotkey = ?", (netuid, hotkey)
            ).fetchone()
            row = db.execute(
                "SELECT epoch, used FROM commitment_space WHERE netuid = ? AND hotkey = ?",
                (netuid, hotkey),
            ).fetchone()
            usage = commitments.check(
                fields,
                registered=registered is not None,
                usage=Usage(*row) if row else Usage(),
                epoch=self._epoch_index(db, netuid),
                max_space=self._max_space(db),
                detail=f"{hotkey} holds no uid on netuid {netuid}",
            )
            db.execute(
                "INSERT OR REPLACE INTO commitment_space VALUES (?, ?, ?, ?)",
                (netuid, hotkey, usage.epoch, usage.used),
            )
            db.execute(
                "INSERT OR REPLACE INTO commitments VALUES (?, ?, ?, ?)",
                (netuid, hotkey, block, json.dumps([f.to_json() for f in fields])),
            )
        self._notify(netuid)
        return Commitment(netuid, hotkey, block, fields)

    def commitment(self, netuid: int, hotkey: str) -> Commitment | None:
        """``hotkey``'s commitment on ``netuid`` (``CommitmentOf``), or None."""
        return self.commitments(netuid).get(hotkey)

    def commitments(self, netuid: int) -> dict[str, Commitment]:
        """Every commitment on ``netuid`` by hotkey (also of hotkeys since replaced: the
        chain keeps a commitment when its uid is taken)."""
        with self._write() as db:
            self._reveal_commitments(db, self._block(self._meta(db)))
            rows = db.execute(
                "SELECT hotkey, block, fields FROM commitments WHERE netuid = ? ORDER BY hotkey",
                (netuid,),
            ).fetchall()
        return {
            hotkey: Commitment(
                netuid, hotkey, block, tuple(Field.from_json(f) for f in json.loads(fields))
            )
            for hotkey, block, fields in rows
        }

    def revealed_commitments(self, netuid: int) -> dict[str, list[tuple[int, bytes]]]:
        """``RevealedCommitments`` of ``netuid``: per hotkey, the newest ten
        ``(reveal block, plaintext)``, oldest first."""
        with self._write() as db:
            self._reveal_commitments(db, self._block(self._meta(db)))
            rows = db.execute(
                "SELECT hotkey, block, data FROM revealed_commitments WHERE netuid = ? ORDER BY id",
                (netuid,),
            ).fetchall()
        revealed: dict[str, list[tuple[int, bytes]]] = {}
        for hotkey, block, data in rows:
            revealed.setdefault(hotkey, []).append((int(block), bytes(data)))
        return revealed

    def commitment_max_space(self) -> int:
        """Bytes a hotkey may commit per subnet and epoch (the pallet's ``MaxSpace``)."""
        with self._lock:
            return self._max_space(self._db)

    def set_commitment_max_space(self, limit: int) -> None:
        """Root's ``set_max_space``: the per-epoch space budget of every hotkey."""
        if limit < 0:
            raise ValueError(f"{limit=} must not be negative")
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('commitment_max_space', ?)",
                (str(limit),),
            )

    @staticmethod
    def _max_space(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key = 'commitment_max_space'").fetchone()
        return int(row[0]) if row else commitments.MAX_SPACE

    def _reveal_commitments(self, db: sqlite3.Connection, block: int) -> None:
        """Reveal every timelocked field due by ``block``, each at the block it was due
        (the pallet's ``on_initialize``), keeping the newest ten per hotkey."""
        pending = db.execute(
            "SELECT netuid, hotkey, fields FROM commitments WHERE fields LIKE ?",
            ("%TimelockEncrypted%",),
        ).fetchall()
        for netuid, hotkey, text in pending:
            fields = [Field.from_json(f) for f in json.loads(text)]
            kept, revealed = commitments.reveal(fields, block)
            if len(kept) == len(fields):
                continue
            db.executemany(
                "INSERT INTO revealed_commitments (netuid, hotkey, data, block)"
                " VALUES (?, ?, ?, ?)",
                [(netuid, hotkey, data, due) for data, due in revealed],
            )
            db.execute(
                "DELETE FROM revealed_commitments WHERE netuid = ? AND hotkey = ? AND id NOT IN"
                " (SELECT id FROM revealed_commitments WHERE netuid = ? AND hotkey = ?"
                " ORDER BY id DESC LIMIT ?)",
                (netuid, hotkey, netuid, hotkey, commitments.MAX_REVEALS),
            )
            if kept:
                db.execute(
                    "UPDATE commitments SET fields = ? WHERE netuid = ? AND hotkey = ?",
                    (json.dumps([f.to_json() for f in kept]), netuid, hotkey),
                )
            else:
                db.execute(
                    "DELETE FROM commitments WHERE netuid = ? AND hotkey = ?", (netuid, hotkey)
                )

    # -- commit-reveal weights ---------------------------------------------------------
    def epoch_index(self, netuid: int) -> int:
        """``SubnetEpochIndex``: how many epochs ``netuid`` has run (since simnet counted)."""
        self.require_subnet(netuid)
        self._catch_up()
        with self._lock:
            return self._epoch_index(self._db, netuid)

    @staticmethod
    def _epoch_index(db: sqlite3.Connection, netuid: int) -> int:
        row = db.execute("SELECT epoch FROM epoch_index WHERE netuid = ?", (netuid,)).fetchone()
        return int(row[0]) if row else 0

    def reveal_period(self, netuid: int) -> int:
        """Epochs from a weight commit on ``netuid`` to its reveal (``RevealPeriodEpochs``)."""
        self.require_subnet(netuid)
        with self._lock:
            return self._reveal_period(self._db, netuid)

    def set_reveal_period(self, netuid: int, epochs: int) -> None:
        """The owner's ``sudo_set_commit_reveal_weights_interval``: 1 to 100 epochs."""
        self.require_subnet(netuid)
        if epochs > reveal.MAX_REVEAL_PERIOD:
            raise ChainRuleError("RevealPeriodTooLarge", f"{epochs} epochs")
        if epochs < reveal.MIN_REVEAL_PERIOD:
            raise ChainRuleError("RevealPeriodTooSmall", f"{epochs} epochs")
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO reveal_periods VALUES (?, ?)", (netuid, epochs))
        self._notify(netuid)

    @staticmethod
    def _reveal_period(db: sqlite3.Connection, netuid: int) -> int:
        row = db.execute("SELECT epochs FROM reveal_periods WHERE netuid = ?", (netuid,)).fetchone()
        return int(row[0]) if row else reveal.REVEAL_PERIOD

    def _committer(
        self, db: sqlite3.Connection, netuid: int, hotkey: str
    ) -> tuple[int, int] | None:
        row = db.execute(
            "SELECT uid, last_update FROM neurons WHERE netuid = ? AND hotkey = ?",
            (netuid, hotkey),
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def commit_weights(self, netuid: int, hotkey: str, commit_hash: str) -> reveal.HashCommit:
        """``commit_weights``: keep ``commit_hash`` (see :func:`simnet.chain.reveal.commit_hash`)
        for a reveal in ``reveal_period`` epochs, under the chain's rules and error names."""
        self.require_subnet(netuid)
        self._catch_up()
        with self._write() as db:
            block = self._block(self._meta(db))
            params = self._params(db, netuid)
            epoch = self._epoch_index(db, netuid)
            period = self._reveal_period(db, netuid)
            committer = self._committer(db, netuid, hotkey)
            rows = db.execute(
                "SELECT id, epoch FROM weight_commits WHERE netuid = ? AND hotkey = ? ORDER BY id",
                (netuid, hotkey),
            ).fetchall()
            live = [(id_, e) for id_, e in rows if not reveal.expired(e, epoch, period)]
            reveal.check_commit(
                enabled=params.commit_reveal_weights_enabled,
                registered=committer is not None,
                block=block,
                last_update=committer[1] if committer else 0,
                rate_limit=params.weights_rate_limit,
                unrevealed=len(live),
            )
            assert committer is not None
            stale = [id_ for id_, e in rows[: len(rows) - len(live)]]
            db.executemany("DELETE FROM weight_commits WHERE id = ?", [(i,) for i in stale])
            db.execute(
                "INSERT INTO weight_commits (netuid, hotkey, hash, epoch, block)"
                " VALUES (?, ?, ?, ?, ?)",
                (netuid, hotkey, commit_hash.lower(), epoch, block),
            )
            db.execute(
                "UPDATE neurons SET last_update = ? WHERE netuid = ? AND uid = ?",
                (block, netuid, committer[0]),
            )
        self._notify(netuid)
        return reveal.HashCommit(commit_hash.lower(), epoch, block)

    def weight_commits(self, netuid: int, hotkey: str) -> list[reveal.HashCommit]:
        """``WeightCommits[netuid][hotkey]``: the hash commits not yet revealed, oldest first."""
        self._catch_up()
        rows = self._read(
            "SELECT hash, epoch, block FROM weight_commits WHERE netuid = ? AND hotkey = ?"
            " ORDER BY id",
            (netuid, hotkey),
        )
        return [reveal.HashCommit(h, int(e), int(b)) for h, e, b in rows]

    def reveal_weights(
        self,
        netuid: int,
        hotkey: str,
        uids: Sequence[int],
        values: Sequence[int],
        salt: Sequence[int],
        *,
        version_key: int = 0,
    ) -> list[tuple[int, int]]:
        """``reveal_weights``: the weights whose hash ``hotkey`` committed become its weights,
        checked as the chain checks them (the hash, then the timing; then the weights'
        own rules). Returns what was stored."""
        self._catch_up()
        with self._write() as db:
            if not self._params(db, netuid).commit_reveal_weights_enabled:
                raise ChainRuleError("CommitRevealDisabled", f"netuid {netuid}")
            rows = db.execute(
                "SELECT id, hash, epoch, block FROM weight_commits WHERE netuid = ? AND hotkey = ?"
                " ORDER BY id",
                (netuid, hotkey),
            ).fetchall()
            provided = reveal.commit_hash(hotkey, netuid, uids, values, salt, version_key)
            consumed = reveal.match_reveal(
                [reveal.HashCommit(h, e, b) for _, h, e, b in rows],
                provided,
                current_epoch=self._epoch_index(db, netuid),
                reveal_period=self._reveal_period(db, netuid),
            )
            db.executemany(
                "DELETE FROM weight_commits WHERE id = ?", [(row[0],) for row in rows[:consumed]]
            )
            block = self._block(self._meta(db))
            stored = self._apply_weights(db, netuid, hotkey, uids, values, version_key, block)
        self._notify(netuid)
        return stored

    def commit_timelocked_weights(
        self,
        netuid: int,
        hotkey: str,
        *,
        reveal_round: int,
        commit: bytes = b"",
        payload: tuple[Sequence[int], Sequence[int], int] | None = None,
        version: int = reveal.COMMIT_REVEAL_VERSION,
    ) -> int:
        """``commit_timelocked_weights`` (CRv3): keep the encrypted ``commit`` for the chain
        to reveal at the start of epoch ``epoch_index + reveal_period``. ``payload`` is
        ``(uids, u16 values, version_key)``, what the SDK encrypted, recorded inside the
        simnet process (see :mod:`simnet.chain.reveal`); without it the commit is kept and
        never revealed. Returns the epoch the commit belongs to."""
        self.require_subnet(netuid)
        self._catch_up()
        with self._write() as db:
            block = self._block(self._meta(db))
            params = self._params(db, netuid)
            epoch = self._epoch_index(db, netuid)
            committer = self._committer(db, netuid, hotkey)
            (pending,) = db.execute(
                "SELECT COUNT(*) FROM timelocked_commits WHERE netuid = ? AND hotkey = ?"
                " AND epoch = ?",
                (netuid, hotkey, epoch),
            ).fetchone()
            reveal.check_commit(
                enabled=params.commit_reveal_weights_enabled,
                registered=committer is not None,
                block=block,
                last_update=committer[1] if committer else 0,
                rate_limit=params.weights_rate_limit,
                unrevealed=int(pending),
                timelocked_version=version,
            )
            assert committer is not None
            recorded = None
            if payload is not None:
                uids, values, version_key = payload
                recorded = json.dumps(
                    [[int(u) for u in uids], [int(v) for v in values], version_key]
                )
            db.execute(
                "INSERT INTO timelocked_commits"
                " (netuid, hotkey, epoch, block, reveal_round, commit_bytes, payload)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (netuid, hotkey, epoch, block, int(reveal_round), bytes(commit), recorded),
            )
            db.execute(
                "UPDATE neurons SET last_update = ? WHERE netuid = ? AND uid = ?",
                (block, netuid, committer[0]),
            )
        self._notify(netuid)
        return epoch

    def timelocked_commits(self, netuid: int) -> list[tuple[str, int, int, int]]:
        """``TimelockedWeightCommits`` of ``netuid`` not yet revealed: ``(hotkey, epoch,
        commit block, reveal round)``, in commit order."""
        self._catch_up()
        rows = self._read(
            "SELECT hotkey, epoch, block, reveal_round FROM timelocked_commits WHERE netuid = ?"
            " ORDER BY id",
            (netuid,),
        )
        return [(h, int(e), int(b), int(r)) for h, e, b, r in rows]

    def _reveal_timelocked(
        self, db: sqlite3.Connection, netuid: int, block: int, current_epoch: int
    ) -> None:
        """``reveal_crv3_commits_for_subnet`` at ``block``: drop commits older than the
        reveal epoch, then apply the weights of those made in it, in commit order (one
        the chain would refuse is dropped, as the chain skips it)."""
        period = self._reveal_period(db, netuid)
        due = current_epoch - period
        db.execute("DELETE FROM timelocked_commits WHERE netuid = ? AND epoch < ?", (netuid, due))
        if current_epoch < period:
            return
        rows = db.execute(
            "SELECT id, hotkey, payload FROM timelocked_commits WHERE netuid = ? AND epoch = ?"
            " ORDER BY id",
            (netuid, due),
        ).fetchall()
        for id_, hotkey, payload in rows:
            if payload is None:
                continue  # simnet never saw its plaintext: kept until it expires
            db.execute("DELETE FROM timelocked_commits WHERE id = ?", (id_,))
            uids, values, version_key = json.loads(payload)
            db.execute("SAVEPOINT reveal")
            try:
                self._apply_weights(db, netuid, hotkey, uids, values, version_key, block)
            except (ChainRuleError, UnknownHotkey):
                db.execute("ROLLBACK TO reveal")
            db.execute("RELEASE reveal")

    def _apply_weights(
        self,
        db: sqlite3.Connection,
        netuid: int,
        hotkey: str,
        uids: Sequence[int],
        values: Sequence[int],
        version_key: int,
        block: int,
    ) -> list[tuple[int, int]]:
        """Revealed weights become ``hotkey``'s weights (``do_set_mechanism_weights`` on a
        commit-reveal subnet: no rate limit, ``last_update`` left at the commit's block)."""
        row = db.execute(
            "SELECT uid, validator_permit FROM neurons WHERE netuid = ? AND hotkey = ?",
            (netuid, hotkey),
        ).fetchone()
        if row is None:
            raise UnknownHotkey(f"hotkey {hotkey} is not registered on netuid {netuid}")
        uid, permit = int(row[0]), bool(row[1])
        (size,) = db.execute("SELECT COUNT(*) FROM neurons WHERE netuid = ?", (netuid,)).fetchone()
        call = WeightsCall(
            uid=uid,
            uids=[int(u) for u in uids],
            weights=[float(w) for w in values],
            version_key=int(version_key),
            block=block,
            last_update=0,  # the rate limit was the commit's
            validator_permit=permit,
            subnet_size=int(size),
        )
        stored_values = check_weights(call, self._params(db, netuid))
        stored = sorted((u, v) for u, v in zip(call.uids, stored_values, strict=True) if v)
        db.execute("DELETE FROM weights WHERE netuid = ? AND uid = ?", (netuid, uid))
        db.executemany(
            "INSERT INTO weights VALUES (?, ?, ?, ?)",
            [(netuid, uid, target, value) for target, value in stored],
        )
        return stored

    # -- notifications -------------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Hold change notifications until the block ends, then send one per subnet."""
        with self._lock:
            outer = self._held is not None
            if not outer:
                self._held = set()
        try:
            yield
        finally:
            if not outer:
                with self._lock:
                    held, self._held = self._held or set(), None
                for netuid in sorted(held):
                    self._notify(netuid)

    def _notify(self, netuid: int) -> None:
        with self._lock:
            if self._held is not None:
                self._held.add(netuid)
                return
        for listener in list(self._listeners):
            listener(netuid)

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "memory"
        return f"ChainState({where}, subnets={self.netuids()})"
