"""Access rows for review routes (see tests/access/__init__.py for the row format)."""

ROWS: list = []
