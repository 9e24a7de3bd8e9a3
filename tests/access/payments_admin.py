"""Access rows for payments admin routes (see tests/access/__init__.py for the row format)."""

ROWS: list = []
