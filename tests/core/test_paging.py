"""Ids and page numbers read from text a user can edit, and one page of a list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.paging import MAX_PAGE, Page, page_number, paginate, positive_id
from portal.core.tenancy import MAX_ID


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("42", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (None, None),
        ("", None),
        ("abc", None),
        ("12a", None),
        (" 12", None),
        ("1.5", None),
        ("0", None),
        ("-3", None),
        ("+3", None),
        ("²", None),  # a digit to str.isdigit, not to int()
        ("١٢", None),  # Arabic-Indic digits: int() reads them, an id does not
        (str(MAX_ID + 1), None),
        ("9" * 10, None),
        ("9" * 5000, None),  # never handed to int() (which refuses over 4300 digits)
        ("0000000001", 1),
        ("00000000001", None),  # longer than any id, whatever its value
    ],
)
def test_positive_id(text, expected):
    """Is only a plain number from 1 to the largest id read as an id, anything else None?"""
    assert positive_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("3", 3),
        (None, 1),
        ("", 1),
        ("two", 1),
        ("0", 1),
        ("-2", 1),
        ("²", 1),
        (str(MAX_PAGE), MAX_PAGE),
        (str(MAX_PAGE + 1), MAX_PAGE),
        (str(MAX_ID), MAX_PAGE),
        ("9" * 5000, MAX_PAGE),  # past any list: the last page, once clamped
    ],
)
def test_page_number(text, expected):
    """Is a page read from 1 to MAX_PAGE, 1 for anything that is not a number?"""
    assert page_number(text) == expected


def test_a_page_knows_where_it_sits():
    """Do pages, first and last describe the rows shown within the whole list?"""
    middle = Page(rows=list("cd"), total=5, page=2, per_page=2)
    assert (middle.pages, middle.first, middle.last) == (3, 3, 4)
    end = Page(rows=["e"], total=5, page=3, per_page=2)
    assert (end.pages, end.first, end.last) == (3, 5, 5)
    exact = Page(rows=list("ab"), total=4, page=2, per_page=2)
    assert exact.pages == 2
    empty = Page(rows=[], total=0, page=1, per_page=50)
    assert (empty.pages, empty.first, empty.last) == (1, 0, 0)


def test_paginate_counts_clamps_and_offsets(make):
    """Does paginate give the rows of the page asked for, and the last page for one
    past the end (or the first, for an empty list)?"""
    ids = [make.user().id for _ in range(5)]
    query = select(User).order_by(User.id)
    second = paginate(query, 2, 2)
    assert [u.id for u in second.rows] == ids[2:4] and (second.total, second.page) == (5, 2)
    beyond = paginate(query, MAX_PAGE, 2)
    assert [u.id for u in beyond.rows] == ids[4:] and beyond.page == 3
    assert paginate(query, 0, 2).page == 1  # a page number below 1 reads as the first
    nobody = paginate(query.where(User.id < 0), 4, 2)
    assert (nobody.rows, nobody.total, nobody.page, nobody.pages) == ([], 0, 1, 1)
