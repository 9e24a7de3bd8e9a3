"""Numbers read from query strings and forms, and one page of a long list.

Ids and page numbers arrive as text a user can edit. Anything that is not a plain
positive number in range reads as "not given" rather than raising: a hand-edited
link shows the unfiltered first page instead of an error, and an id beyond the
32-bit primary key range (`MAX_ID`) can never match a row, so it is never sent to
PostgreSQL (which would refuse it with an error instead of finding nothing).
Only ASCII digits count: `str.isdigit` alone also accepts "²", which `int` refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from portal.core.tenancy import MAX_ID
from portal.extensions import db

T = TypeVar("T")

MAX_PAGE = 100_000  # far past any real list; keeps OFFSET arithmetic small


def _digits(text: str | None) -> bool:
    return bool(text) and text.isascii() and text.isdigit()


def positive_id(text: str | None) -> int | None:
    """The id in `text`, or None when it is empty, not a number, or out of range."""
    if not _digits(text) or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def page_number(text: str | None) -> int:
    """The page asked for, from 1; 1 for anything that is not a page number. A number
    too large for any list reads as `MAX_PAGE`, which `paginate` turns into the last page."""
    if not _digits(text):
        return 1
    if len(text) > len(str(MAX_PAGE)):  # never int() a long string (and no huge OFFSET)
        return MAX_PAGE
    return min(max(int(text), 1), MAX_PAGE)


@dataclass(frozen=True)
class Page(Generic[T]):
    """The rows of one page, and where they sit in the whole list."""

    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 when the list is empty)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def paginate(query: Select, page: int, per_page: int, *options) -> Page:
    """Page `page` of an ORM query's rows: two statements, a count and the page.

    A page past the end shows the last one, so a link kept from a longer list
    (or a hand-typed number) still shows rows. `options` (eager loads) apply to
    the rows only; the count runs on the query as given, without its ORDER BY.
    """
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(max(page, 1), max(1, -(-total // per_page)))
    rows = db.session.scalars(
        query.options(*options).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), total, page, per_page)
