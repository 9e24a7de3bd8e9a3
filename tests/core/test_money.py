"""Reading and showing money: amounts typed by admins become whole minor units, and a
comma is only ever a thousands separator."""

from __future__ import annotations

import pytest

from portal.core.money import MoneyError, format_money, parse_money


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("25.50", "usd", 2550),
        ("$25.50", "usd", 2550),
        (" 25 ", "usd", 2500),
        ("1,250.00", "usd", 125000),
        ("1,250", "usd", 125000),
        ("12,345,678.90", "usd", 1234567890),
        ("CA$1,000", "cad", 100000),
        ("€9.5", "eur", 950),
        ("120 EUR", "eur", 12000),
        (".50", "usd", 50),
        ("1.000", "usd", 100),  # zeros past the cents change nothing
        ("0", "usd", 0),
        ("500", "jpy", 500),
    ],
)
def test_amounts_are_read_in_minor_units(text, currency, minor):
    """Is a typed amount read exactly, commas as thousands separators?"""
    assert parse_money(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("25,50", "usd", "Use a point before the cents, like 25.00"),
        ("25,5", "eur", "a comma only separates thousands, like 1,250.00"),
        ("1 250,00", "eur", "Use a point before the cents"),
        ("1,2500", "usd", "Use a point before the cents"),
        ("1,25,000", "usd", "Enter an amount like 25.00."),
        ("1.005", "usd", "with at most 2 digits after the point"),
        ("5.5", "jpy", "Enter a whole amount, like 500: JPY has no cents."),
        ("-5", "usd", "Enter an amount of zero or more."),
        ("ten dollars", "usd", "Enter an amount like 25.00."),
        ("", "usd", "Enter an amount like 25.00."),
        (".", "usd", "Enter an amount like 25.00."),
        ("1e5", "usd", "Enter an amount like 25.00."),
        ("NaN", "usd", "Enter an amount like 25.00."),
        ("\u0665", "usd", "Enter an amount like 25.00."),  # a non-ASCII digit
    ],
)
def test_ambiguous_or_unreadable_amounts_are_refused_with_a_reason(text, currency, message):
    """Is "25,50" (2,550 or 25.50?) refused rather than guessed, with a message to show?"""
    with pytest.raises(MoneyError, match=message.replace(".", r"\.").replace("$", r"\$")):
        parse_money(text, currency)


def test_a_refused_amount_is_a_value_error():
    """Do callers that catch ValueError (the plan form) still catch a refusal?"""
    with pytest.raises(ValueError):
        parse_money("25,50", "usd")


def test_formatting_reads_back():
    """Does a formatted amount parse back to the same minor units?"""
    for minor, currency in ((125050, "usd"), (99, "gbp"), (123456, "jpy"), (500, "chf")):
        assert parse_money(format_money(minor, currency), currency) == minor
