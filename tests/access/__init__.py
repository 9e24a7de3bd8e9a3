"""The access matrix, one module of rows per domain (see tests/test_access_matrix.py).

A row is (endpoint, method, url template, {visitor: expected status}). URL
templates are filled from the `world` fixture's ids: {a} (league A's slug),
{invitation}, {token}, {referee_grant}, {profile} (the player's own submitted
profile in league A, with photo and document), {verified_profile} (the
player's verified profile in A), {b_profile} (a profile in league B),
{age_group} (an age group of league A), {upload} (a photo the player staged
in league A).

Each visitor runs every row in order against a fresh world, so a row may
change state that later rows see (an approval, a deletion): order rows so
that each still means what it says.
"""

from __future__ import annotations

VISITORS = ("anonymous", "player", "registrar", "other_admin", "admin", "platform")


def expect(default: int | None = None, **statuses: int) -> dict[str, int]:
    """Expected status per visitor: `default` for all, then named exceptions."""
    table = dict.fromkeys(VISITORS, default)
    table.update(statuses)
    missing = [visitor for visitor, status in table.items() if status is None]
    if missing:
        raise ValueError(f"no expected status for {missing}")
    return table


# Common shapes.
ANYONE_200 = expect(200)
SIGNED_IN = expect(200, anonymous=302)
# Staff pages answer "not found" to anyone without the role; sign-in comes first.
ADMIN_ONLY = expect(404, anonymous=302, admin=200, platform=200)
REGISTRAR_ONLY = expect(404, anonymous=302, registrar=200, admin=200, platform=200)
PLATFORM_ONLY = expect(404, anonymous=302, platform=200)
# Another league's object under this league's address: not found for everyone.
NOBODY = expect(404, anonymous=302)


def admin_answers(status: int) -> dict[str, int]:
    """An admin-only row whose success is `status` (a redirect, a 422 ...), not 200."""
    return {**ADMIN_ONLY, "admin": status, "platform": status}
