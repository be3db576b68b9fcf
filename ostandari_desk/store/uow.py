"""Unit of work: the one door every service goes through — one transaction, one actor, its audit.

``with uow: ...; uow.commit()``. Blocks nest: a service called inside another's block joins its
transaction, and only the outermost block commits. An inner ``commit()`` flushes and asks for the commit,
which the outermost block makes when it ends without an error (so ``with uow: service(uow)`` keeps the
service's work); an error anywhere, or ``rollback()``, discards the whole transaction. The actor's county scopes every ORM read, every write is
checked against it and recorded field by field (store/audit_trail.py), and the entries are written in the
same transaction as the change they describe.

A service that writes opens its block with ``with uow.writing():``. Its transaction then begins IMMEDIATE
(store/engine.py): the write lock is taken before the first read, so what it reads to decide (the next
number, the row version, "is this name free") cannot change before it writes. Every other block begins
DEFERRED and never waits for a writer. A writer nested in a block that has already begun as a reader
would write from a snapshot that may be stale: ``strict_writes`` (the tests) makes that, and a write
committed from such a block, an ``UndeclaredWriteError``; otherwise it is logged and SQLite itself refuses
the write if another one came between.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, Self, TypeVar

from sqlalchemy import Engine, Table, true
from sqlmodel import Session

from ostandari_desk.domain.roles import PERMISSION_LABELS, Actor, Permission
from ostandari_desk.errors import NotFoundError, PermissionDeniedError
from ostandari_desk.store import audit_trail
from ostandari_desk.store.adapters import DatabaseAdapters, adapters_for
from ostandari_desk.store.engine import BEGIN_MODE, DEFERRED, IMMEDIATE

T = TypeVar("T")

log = logging.getLogger(__name__)


class UndeclaredWriteError(RuntimeError):
    """A write from a transaction that began as a reader (a missing ``uow.writing()``): a bug."""


class UnitOfWork:
    """A transaction acting for ``actor``; see the module docstring."""

    # Raise UndeclaredWriteError instead of logging a warning (set by the tests).
    strict_writes: ClassVar[bool] = False

    def __init__(self, engine: Engine, actor: Actor):
        if not isinstance(actor, Actor):
            raise TypeError("UnitOfWork needs the acting user (domain.roles.Actor)")
        self.engine = engine
        self.actor = actor
        self.session: Session | None = None
        self._writer = False  # uow.writing() was called for the current block
        self._began: str | None = None  # how the open database transaction began (None: none open)
        self._bind = engine.execution_options(**{BEGIN_MODE: self._begin_mode})
        self._depth = 0
        self._commit_asked = False
        self._after_commit: list[Callable[[], None]] = []
        self._trail: audit_trail.AuditTrail | None = None

    def __enter__(self) -> Self:
        if self._depth == 0:
            self.session = Session(self._bind, expire_on_commit=False)
            self._trail = audit_trail.AuditTrail(self.actor)
            audit_trail.install(self.session, self._trail)
        self._depth += 1
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self._depth -= 1
        if exc_type is not None:
            self._commit_asked = False
        if self._depth > 0:
            return
        assert self.session is not None
        done: list[Callable[[], None]] = []
        try:
            if self._commit_asked:
                done = self._commit_now()
            else:
                self.session.rollback()
        finally:
            self._commit_asked = False
            self._after_commit = []
            self.session.close()
            self.session = None
            self._trail = None
            self._writer = False
            self._began = None
        for callback in done:
            callback()

    def writing(self) -> Self:
        """Declare that this block writes: ``with uow.writing(): ...`` (see the module docstring).

        Before the block, or inside one whose transaction has not begun yet: it will begin IMMEDIATE,
        waiting for another writer's lock first. Inside one that has already begun IMMEDIATE: nothing
        to do. Inside one that began DEFERRED (it read as a reader): ``UndeclaredWriteError`` when
        ``strict_writes``, else a warning.
        """
        self._writer = True
        if self._began == DEFERRED:
            self._undeclared(
                "a writer joined a transaction that began as a reader; open the outer block "
                "with uow.writing()"
            )
        return self

    @property
    def writes(self) -> bool:
        """Whether this block was declared a writer (``writing()``)."""
        return self._writer

    def _begin_mode(self) -> str:
        """Asked by the engine's "begin" event: how this unit of work's next transaction begins."""
        self._began = IMMEDIATE if self._writer else DEFERRED
        return self._began

    def _undeclared(self, what: str) -> None:
        if self.strict_writes:
            raise UndeclaredWriteError(what)
        log.warning("%s", what)

    @property
    def s(self) -> Session:
        """The open session (only inside the block)."""
        if self.session is None:
            raise RuntimeError("UnitOfWork used outside its `with` block")
        return self.session

    @property
    def outermost(self) -> bool:
        return self._depth == 1

    def commit(self) -> None:
        """Commit the transaction with its audit entries; inside a nested block, flush and leave the commit
        to the outermost block's end."""
        self.s.flush()
        if self._depth > 1:
            self._commit_asked = True
            return
        for callback in self._commit_now():
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this transaction has committed (never if it rolls back): removing a
        stored file that a deleted record no longer needs, say."""
        self._after_commit.append(callback)

    def rollback(self) -> None:
        """Discard everything this transaction did so far (a dry run), however deep the block."""
        self._commit_asked = False
        self._after_commit = []
        assert self._trail is not None
        self._trail.rows.clear()
        self.s.rollback()
        self._began = None

    def _commit_now(self) -> list[Callable[[], None]]:
        """Commit; returns the after-commit callbacks for the caller to run."""
        assert self._trail is not None
        self.s.flush()
        if self._began == DEFERRED and self._trail.rows:
            self._undeclared(
                "a unit of work wrote in a transaction that began as a reader (DEFERRED); "
                "open the service's block with uow.writing()"
            )
        self._trail.write(self.s)
        self.s.commit()
        self._began = None
        self._commit_asked = False
        done, self._after_commit = self._after_commit, []
        return done

    def flush(self) -> None:
        self.s.flush()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: an exception inside takes back its writes and their audit entries
        (and goes on); otherwise they stay in the enclosing transaction. E.g. a trial import run
        inside a caller's block."""
        assert self._trail is not None, "savepoint() outside the unit of work's block"
        self.db.begin(self.s.connection())  # a SAVEPOINT outside a real BEGIN would commit on RELEASE
        mark = len(self._trail.rows)
        nested = self.s.begin_nested()
        try:
            yield
        except BaseException:
            nested.rollback()
            del self._trail.rows[mark:]
            raise
        nested.commit()

    @property
    def db(self) -> DatabaseAdapters:
        """The database-specific parts (full-text search, bulk loading) for this engine's dialect."""
        return adapters_for(self.engine)

    # --- permissions and county scope -------------------------------------------------------------

    def require(self, permission: Permission) -> None:
        """PermissionDeniedError (Persian) unless the actor's role allows ``permission``."""
        if not self.actor.may(permission):
            raise PermissionDeniedError(
                f"نقش «{self.actor.role_label}» اجازه «{PERMISSION_LABELS[permission]}» را ندارد"
            )

    def check_county(self, county_id: str | None, record: str | None = None) -> None:
        """PermissionDeniedError unless a record of ``county_id`` is within the actor's scope."""
        if not self.actor.sees_county(county_id):
            raise PermissionDeniedError(audit_trail.OUT_OF_SCOPE, record=record)

    def in_scope(self, county_column: Any) -> Any:
        """A WHERE condition limiting ``county_column`` to the actor's county (true for the whole province).

        ORM reads are scoped by the session already; this is for statements over plain tables.
        """
        scope = self.actor.county_scope
        return true() if scope is None else county_column == scope

    @property
    def county_scope(self) -> str | None:
        """The county the actor is limited to (None: every county); for queries below the ORM."""
        return self.actor.county_scope

    def get(self, model: type[T], record_id: str, *, missing: str = "رکورد پیدا نشد؛ شاید حذف شده باشد") -> T:
        """The record ``record_id`` of ``model`` within the actor's scope, else NotFoundError/PermissionDenied."""
        found = self.s.get(model, record_id)
        if found is None:
            raise NotFoundError(missing, record=record_id)
        county_id = getattr(found, "county_id", None)
        if hasattr(found, "county_id"):
            self.check_county(county_id, record=record_id)
        return found

    # --- audit entries the session cannot see -------------------------------------------------------

    def audit(
        self,
        action: str,
        table_name: str,
        record_id: str,
        changes: Mapping[str, list] | None = None,
        detail: str = "",
        owner_id: str | None = None,
    ) -> None:
        """Add an entry (a sign-in, an export, an import batch, a report) to this transaction."""
        assert self._trail is not None, "audit() outside the unit of work's block"
        self._trail.log(action, table_name, record_id, changes, detail, owner_id)

    def audit_loaded(self, table: Table, where: Any) -> None:
        """Record the rows of ``table`` that ``where`` selects, just inserted below the session by a bulk
        loader: one entry per row, every field, as ``audit_rows`` would — built by the database where its
        adapter can, so 100,000 imported NGOs cost a fraction of the import. County-checked."""
        assert self._trail is not None, "audit_loaded() outside the unit of work's block"
        self._trail.rows_loaded(self.s, table, where)

    def audit_rows(self, action: str, table: Table, rows: list[dict[str, Any]]) -> None:
        """Record rows written below the session (a bulk loader): one entry per row, every field."""
        assert self._trail is not None, "audit_rows() outside the unit of work's block"
        if self.actor.county_scope is not None:
            for row in rows:
                self._trail.check_row(self.s, table, row)
        if action == "insert":
            self._trail.rows_inserted(table, rows)
            return
        for row in rows:
            if action == "delete":
                self._trail.row_written(action, table, row, None)
            else:
                self._trail.row_written(action, table, None, row)
