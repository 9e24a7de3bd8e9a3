"""Access rows for player settings routes (see tests/access/__init__.py for the row format).

Rows post no form data: the admin's answers show the guard let them through
to the form's own checks (422 for an empty form, 400 for a missing choice).
The delete row comes last, as it removes {age_group}.
"""

from tests.access import ADMIN_ONLY, admin_answers

BASE = "/l/{a}/settings/players"


ROWS: list = [
    ("l.player_settings.edit", "GET", BASE, ADMIN_ONLY),
    ("l.player_settings.edit", "POST", BASE, admin_answers(422)),
    ("l.player_settings.example", "GET", BASE + "/age-example?dob=2016-03-14", ADMIN_ONLY),
    ("l.player_settings.add_age_group", "POST", BASE + "/age-groups", admin_answers(422)),
    ("l.player_settings.add_preset", "POST", BASE + "/age-groups/presets", admin_answers(400)),
    (
        "l.player_settings.move_age_group",
        "POST",
        BASE + "/age-groups/{age_group}/move",
        admin_answers(400),
    ),
    (
        "l.player_settings.delete_age_group",
        "POST",
        BASE + "/age-groups/{age_group}/delete",
        admin_answers(303),
    ),
]
