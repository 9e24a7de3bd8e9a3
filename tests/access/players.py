"""Access rows for player routes (see tests/access/__init__.py for the row format)."""

from tests.access import expect

ROWS: list = [
    (
        "l.players.show",
        "GET",
        "/l/{a}/players/{profile}",
        expect(404, anonymous=302, player=200, registrar=200, admin=200, platform=200),
    ),
]
