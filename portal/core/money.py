"""Money: amounts are integers in the currency's minor unit (cents), shown with the symbol."""

from __future__ import annotations

import re
from decimal import Decimal

# Currencies without a minor unit (Stripe's list of zero-decimal currencies).
ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
SYMBOLS = {"usd": "$", "cad": "CA$", "aud": "A$", "nzd": "NZ$", "eur": "€", "gbp": "£"}
CURRENCIES = ("usd", "cad", "eur", "gbp", "aud", "nzd")


def minor_units(currency: str) -> int:
    return 0 if currency.lower() in ZERO_DECIMAL else 2


def format_money(amount_minor: int, currency: str) -> str:
    """12345, "usd" -> "$123.45"; 500, "jpy" -> "¥500"-style with the code when unknown."""
    currency = currency.lower()
    places = minor_units(currency)
    value = Decimal(amount_minor).scaleb(-places)
    text = f"{value:,.{places}f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


class MoneyError(ValueError):
    """An amount that cannot be read without guessing; the message is for the person who
    typed it."""


# Digits with commas only between groups of three ("1,250"), then an optional point
# and decimals. "25,50" matches neither way: a decimal comma is refused, not guessed.
AMOUNT = re.compile(r"(?P<whole>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<fraction>\d*))?", re.ASCII)
DECIMAL_COMMA = re.compile(r"\d,\d{1,2}$|\d,\d{4,}$", re.ASCII)


def parse_money(text: str, currency: str) -> int:
    """ "1,250.00" -> 125000 in the currency's minor unit; raises MoneyError.

    Commas are only thousands separators: "25,50" (a decimal comma in much of
    Europe) would otherwise read as 2,550.00, so it is refused with a message that
    says how to type it. A currency symbol or code around the number is allowed.
    """
    places = minor_units(currency)
    example = "25.00" if places else "500"
    cleaned = text.strip()
    marks = sorted((*SYMBOLS.values(), currency.upper(), currency.lower()), key=len, reverse=True)
    for symbol in marks:  # the longest first: "CA$" before "$"
        cleaned = cleaned.replace(symbol, "")
    cleaned = cleaned.strip()
    match = AMOUNT.fullmatch(cleaned)
    if not match or not (match["whole"] or match["fraction"]):
        if DECIMAL_COMMA.search(cleaned):
            raise MoneyError(
                f"Use a point before the cents, like {example}: "
                "a comma only separates thousands, like 1,250.00."
            )
        if cleaned.startswith("-"):
            raise MoneyError("Enter an amount of zero or more.")
        raise MoneyError(f"Enter an amount like {example}.")
    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > places:
        raise MoneyError(
            f"Enter an amount like {example}, with at most {places} digits after the point."
            if places
            else f"Enter a whole amount, like {example}: {currency.upper()} has no cents."
        )
    value = Decimal(match["whole"].replace(",", "") or "0") + Decimal(f"0.{fraction or 0}")
    return int(value.scaleb(places))
