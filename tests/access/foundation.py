"""Access rows for the foundation: accounts, leagues, people, platform, operations."""

from tests.access import ADMIN_ONLY, ANYONE_200, PLATFORM_ONLY, SIGNED_IN, expect

ROWS = [
    ("home.index", "GET", "/", ANYONE_200),
    ("accounts.signup", "GET", "/signup", expect(302, anonymous=200)),
    ("accounts.signup", "POST", "/signup", expect(302, anonymous=422)),
    ("accounts.login", "GET", "/login", expect(302, anonymous=200)),
    ("accounts.login", "POST", "/login", expect(302, anonymous=422)),
    ("accounts.logout", "POST", "/logout", expect(303)),
    ("accounts.verify_email", "GET", "/verify-email/not-a-token", expect(400)),
    ("accounts.resend_verification", "POST", "/verify-email/resend", expect(303, anonymous=302)),
    ("accounts.forgot_password", "GET", "/forgot-password", ANYONE_200),
    ("accounts.forgot_password", "POST", "/forgot-password", expect(422)),
    ("accounts.reset_password", "GET", "/reset-password/not-a-token", expect(400)),
    ("accounts.reset_password", "POST", "/reset-password/not-a-token", expect(400)),
    ("accounts.account", "GET", "/account", SIGNED_IN),
    ("accounts.update_profile", "POST", "/account/profile", expect(422, anonymous=302)),
    ("accounts.change_password", "POST", "/account/password", expect(422, anonymous=302)),
    ("platform.index", "GET", "/admin/", PLATFORM_ONLY),
    ("platform.new_league", "GET", "/admin/leagues/new", PLATFORM_ONLY),
    ("platform.new_league", "POST", "/admin/leagues/new", {**PLATFORM_ONLY, "platform": 422}),
    ("health.healthz", "GET", "/healthz", ANYONE_200),
    ("files.serve", "GET", "/files/forged-token", expect(404)),
    ("mailbox.index", "GET", "/dev/mail/", ANYONE_200),
    ("mailbox.show", "GET", "/dev/mail/20260101T000000000000", expect(404)),
    ("l.leagues.home", "GET", "/l/{a}/", ANYONE_200),
    ("l.leagues.theme", "GET", "/l/{a}/theme.css", ANYONE_200),
    ("l.leagues.logo", "GET", "/l/{a}/logo", ANYONE_200),
    ("l.leagues.settings", "GET", "/l/{a}/settings", ADMIN_ONLY),
    (
        "l.leagues.settings",
        "POST",
        "/l/{a}/settings",
        {**ADMIN_ONLY, "admin": 422, "platform": 422},
    ),
    ("l.members.index", "GET", "/l/{a}/people/", ADMIN_ONLY),
    (
        "l.members.invite",
        "POST",
        "/l/{a}/people/invite",
        {**ADMIN_ONLY, "admin": 422, "platform": 422},
    ),
    ("l.members.invitation", "GET", "/l/{a}/people/join/{token}", ANYONE_200),
    ("l.members.resend", "POST", "/l/{a}/people/invitations/{invitation}/resend", ADMIN_ONLY),
    ("l.members.revoke", "POST", "/l/{a}/people/invitations/{invitation}/revoke", ADMIN_ONLY),
    ("l.members.remove_role", "POST", "/l/{a}/people/roles/{referee_grant}/remove", ADMIN_ONLY),
]

# Run after every other module's rows: accepting the invitation gives the
# visitor a role in league A, which would change what later rows mean.
FINAL_ROWS = [
    ("l.members.invitation", "POST", "/l/{a}/people/join/{token}", expect(303, anonymous=200)),
]
