"""Unit of work: one transaction per use case; leaving the block without commit rolls back."""

from __future__ import annotations

from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session


class UnitOfWork:
    """`with uow: ...; uow.commit()` — the session lives for the block only."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.session: Session | None = None

    def __enter__(self) -> Self:
        self.session = Session(self.engine, expire_on_commit=False)
        return self

    def __exit__(self, *exc_info) -> None:
        assert self.session is not None
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self.session = None

    @property
    def s(self) -> Session:
        """The open session (only inside the block)."""
        if self.session is None:
            raise RuntimeError("UnitOfWork used outside its `with` block")
        return self.session

    def commit(self) -> None:
        self.s.commit()

    def flush(self) -> None:
        self.s.flush()
