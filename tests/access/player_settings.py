"""Access rows for player settings routes (see tests/access/__init__.py for the row format)."""

ROWS: list = []
