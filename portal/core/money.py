"""Money: amounts are integers in the currency's minor unit (cents), shown with the symbol."""

from __future__ import annotations

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


def parse_money(text: str, currency: str) -> int:
    """ "123.45" -> 12345 in the currency's minor unit; raises ValueError."""
    cleaned = text.strip().replace(",", "")
    for symbol in SYMBOLS.values():
        cleaned = cleaned.replace(symbol, "")
    value = Decimal(cleaned.strip())
    minor = value.scaleb(minor_units(currency))
    if minor != minor.to_integral_value() or minor < 0:
        raise ValueError("not a whole number of cents")
    return int(minor)
