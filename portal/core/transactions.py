"""Side effects that must follow the database: run them after commit, undo on rollback.

Mail must not go out for a change that was rolled back, and a file written
for a change that failed must not stay behind in storage. Code registers
callbacks here; one pair of session hooks runs them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_COMMIT, _ROLLBACK = "after_commit_callbacks", "after_rollback_callbacks"
_KEYS = "after_commit_keys"


def _session() -> Session:
    from portal.extensions import db

    return db.session()


def after_commit(callback: Callable[[], None], key: Hashable | None = None) -> None:
    """Run `callback` once the current transaction commits (now, if none is open).

    With a `key`, a second callback under the same key in the same transaction is
    dropped: five age groups added in one request queue one refresh of the league's
    cards, not five."""
    session = _session()
    if not session.in_transaction():
        callback()
        return
    if key is not None:
        keys = session.info.setdefault(_KEYS, set())
        if key in keys:
            return
        keys.add(key)
    session.info.setdefault(_COMMIT, []).append(callback)


def after_rollback(callback: Callable[[], None]) -> None:
    """Run `callback` if the current transaction rolls back (an undo)."""
    session = _session()
    if session.in_transaction():
        session.info.setdefault(_ROLLBACK, []).append(callback)


def _run(session: Session, run: str, drop: str) -> None:
    session.info.pop(drop, None)
    session.info.pop(_KEYS, None)
    for callback in session.info.pop(run, []):
        try:
            callback()
        except Exception:  # the transaction's outcome stands either way
            log.exception("transaction callback %r failed", callback)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _on_commit):
        event.listen(session_class, "after_commit", _on_commit)
        event.listen(session_class, "after_transaction_end", _on_end)


def _on_commit(session: Session) -> None:
    _run(session, _COMMIT, _ROLLBACK)


def _on_end(session: Session, transaction) -> None:
    """A transaction that ended without commit (rollback, or a closed session) is undone.

    After a commit, `_on_commit` has already emptied the undo list.
    """
    if transaction.parent is None:
        _run(session, _ROLLBACK, _COMMIT)
