"""The daily membership job: expiry on the league's own day, suspensions lifted, renewal
reminders once per term, in every league, safe to run twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db, huey
from portal.memberships import notifications, tasks
from portal.memberships.models import DurationUnit, Membership, MembershipStatus, TermKind
from portal.players.services import today_in

ACTIVE, EXPIRED, SUSPENDED = (
    MembershipStatus.ACTIVE,
    MembershipStatus.EXPIRED,
    MembershipStatus.SUSPENDED,
)
# 30 June 2026, 12:30 UTC: already 00:30 on 1 July in Auckland (UTC+12 in winter), still
# 05:30 on 30 June in Los Angeles (UTC-7).
NOW = datetime(2026, 6, 30, 12, 30, tzinfo=UTC)
JUNE_30 = date(2026, 6, 30)


@pytest.fixture
def auckland(make):
    return make.league("auckland", name="Auckland Netball", timezone="Pacific/Auckland")


@pytest.fixture
def los_angeles(make):
    return make.league("la", name="LA Little League", timezone="America/Los_Angeles")


def _rolling(make, league, window=30, name="Yearly"):
    return make.plan(
        league,
        name,
        term=TermKind.ROLLING,
        duration=1,
        duration_unit=DurationUnit.YEARS,
        renewal_window_days=window,
    )


def _term(league, profile, plan, ends, status=ACTIVE, **fields) -> Membership:
    with league_scope(league.id):
        membership = Membership(
            profile_id=profile.id,
            plan_id=plan.id,
            status=status,
            starts_on=fields.pop("starts", ends - timedelta(days=364)),
            ends_on=ends,
            **fields,
        )
        db.session.add(membership)
        db.session.commit()
    return membership


def _status(membership) -> MembershipStatus:
    db.session.expire_all()
    with unscoped():
        return db.session.get(Membership, membership.id).status


def _family(make, league, name="Mia"):
    parent = make.user(f"{name.lower()}.parent@example.com", name=f"{name}'s parent")
    return parent, make.ready_profile(league, parent, name)


def test_job_is_scheduled_with_the_worker():
    """Is the daily work registered with the worker's scheduler (it runs every hour)?"""
    assert tasks.daily_memberships.task_class in huey._registry._periodic_tasks


def test_terms_expire_on_the_leagues_own_day(make, auckland, los_angeles):
    """Does a term ending 30 June expire when 30 June is over where the league plays?"""
    _, kiwi = _family(make, auckland, "Aroha")
    _, angeleno = _family(make, los_angeles, "Diego")
    in_auckland = _term(auckland, kiwi, make.plan(auckland, "Winter"), JUNE_30)
    in_la = _term(los_angeles, angeleno, make.plan(los_angeles, "Spring"), JUNE_30)

    results = tasks.run_daily(NOW)

    assert results["auckland"]["expired"] == 1 and results["la"]["expired"] == 0
    assert (_status(in_auckland), _status(in_la)) == (EXPIRED, ACTIVE)
    later = tasks.run_daily(NOW + timedelta(hours=19))  # 00:30 on 1 July in LA
    assert later["la"]["expired"] == 1 and later["auckland"]["expired"] == 0
    assert _status(in_la) == EXPIRED


def test_suspensions_are_lifted_the_day_after_they_end(make, los_angeles):
    """Is a suspension lifted the day after it ends, and one without an end left alone?"""
    _, kid = _family(make, los_angeles)
    plan = make.plan(los_angeles, "Spring")
    ends = date(2026, 12, 31)
    ended = _term(los_angeles, kid, plan, ends, SUSPENDED, suspended_until=date(2026, 6, 29))
    today = _term(los_angeles, kid, plan, ends, SUSPENDED, suspended_until=JUNE_30)
    by_hand = _term(los_angeles, kid, plan, ends, SUSPENDED, suspension_reason="Fees")

    first = tasks.run_daily(NOW)
    second = tasks.run_daily(NOW)

    assert first["la"]["lifted"] == 1 and second["la"]["lifted"] == 0
    assert [_status(m) for m in (ended, today, by_hand)] == [ACTIVE, SUSPENDED, SUSPENDED]
    with unscoped():
        lifted = db.session.get(Membership, ended.id)
        assert (lifted.suspended_until, lifted.suspension_reason) == (None, "")


def test_a_reminder_goes_once_per_term_even_when_run_twice(make, los_angeles, outbox):
    """Is a renewal reminder with a link sent once per term, however often the job runs?"""
    parent, kid = _family(make, los_angeles)
    plan = _rolling(make, los_angeles)
    term = _term(los_angeles, kid, plan, JUNE_30 + timedelta(days=10))
    _term(los_angeles, kid, make.plan(los_angeles, "Far off"), JUNE_30 + timedelta(days=60))

    first = tasks.run_daily(NOW)
    second = tasks.run_daily(NOW)
    tasks.run_daily(NOW + timedelta(days=1))

    assert first["la"]["reminded"] == 1 and second["la"]["reminded"] == 0
    (message,) = outbox()
    assert message["To"] == parent.email
    assert message["Subject"] == "Mia's membership ends on 10 July: time to renew"
    body = message.get_content()
    assert f"/l/la/register?plan-{kid.id}={plan.id}" in body
    assert "ends on 10 July 2026" in body
    with unscoped():
        assert db.session.get(Membership, term.id).reminder_sent_for == term.ends_on


def test_no_reminder_before_renewal_opens_or_when_already_renewed(make, los_angeles, outbox):
    """Does a reminder wait for the renewal window, and skip a term already renewed?"""
    _, kid = _family(make, los_angeles)
    narrow = _rolling(make, los_angeles, window=5, name="Yearly, late renewal")
    waiting = _term(los_angeles, kid, narrow, JUNE_30 + timedelta(days=10))
    _, other = _family(make, los_angeles, "Leo")
    plan = _rolling(make, los_angeles)
    renewed_end = JUNE_30 + timedelta(days=7)
    _term(los_angeles, other, plan, renewed_end)
    _term(
        los_angeles,
        other,
        plan,
        renewed_end + timedelta(days=365),
        starts=renewed_end + timedelta(days=1),
    )

    assert tasks.run_daily(NOW)["la"]["reminded"] == 0
    assert tasks.run_daily(NOW + timedelta(days=5))["la"]["reminded"] == 1
    assert [m["Subject"] for m in outbox()] == ["Mia's membership ends on 10 July: time to renew"]
    with unscoped():
        assert db.session.get(Membership, waiting.id).reminder_sent_for is not None


def test_a_league_can_turn_reminders_off(make, los_angeles, outbox):
    """Are no reminders sent by a league whose reminder days are 0?"""
    _, kid = _family(make, los_angeles)
    _term(los_angeles, kid, _rolling(make, los_angeles), JUNE_30 + timedelta(days=3))
    los_angeles.renewal_reminder_days = 0
    db.session.commit()
    assert tasks.run_daily(NOW)["la"]["reminded"] == 0 and outbox() == []


def test_each_league_gets_its_own_reminders(make, auckland, los_angeles, outbox):
    """Across two leagues, is each family reminded once, with its own league's link?"""
    _, kiwi = _family(make, auckland, "Aroha")
    _, angeleno = _family(make, los_angeles, "Diego")
    _term(auckland, kiwi, _rolling(make, auckland), date(2026, 7, 5))
    _term(los_angeles, angeleno, _rolling(make, los_angeles), date(2026, 7, 5))

    results = tasks.run_daily(NOW)
    tasks.run_daily(NOW)

    assert results["auckland"]["reminded"] == results["la"]["reminded"] == 1
    bodies = {m["To"]: m.get_content() for m in outbox()}
    assert len(outbox()) == 2
    assert "/l/auckland/register" in bodies["aroha.parent@example.com"]
    assert "Auckland Netball" in bodies["aroha.parent@example.com"]
    assert "/l/la/register" in bodies["diego.parent@example.com"]


def test_one_leagues_failure_does_not_stop_the_others(make, auckland, los_angeles, monkeypatch):
    """If one league's work raises, is it rolled back while the other league's is done?"""
    _, angeleno = _family(make, los_angeles, "Diego")
    term = _term(los_angeles, angeleno, make.plan(los_angeles, "Spring"), date(2026, 6, 1))
    real = tasks.run_for_league

    def flaky(league, now=None):
        if league.slug == "auckland":
            raise RuntimeError("boom")
        return real(league, now)

    monkeypatch.setattr(tasks, "run_for_league", flaky)
    results = tasks.run_daily(NOW)
    assert "auckland" not in results and results["la"]["expired"] == 1
    assert _status(term) == EXPIRED


def test_the_command_runs_the_daily_work(app, make, los_angeles):
    """Does `flask memberships run-daily` do the work and say what it did?"""
    _, kid = _family(make, los_angeles)
    _term(los_angeles, kid, make.plan(los_angeles, "Spring"), date(2020, 1, 31))
    result = app.test_cli_runner().invoke(args=["memberships", "run-daily"])
    assert result.exit_code == 0, result.output
    assert "la: 1 expired, 0 suspensions lifted, 0 renewal reminders" in result.output


def test_reminders_go_on_the_leagues_own_day(make, auckland, los_angeles, outbox):
    """Is a reminder due when the league's own day reaches the reminder period (14 days)?"""
    _, kiwi = _family(make, auckland, "Aroha")
    _, angeleno = _family(make, los_angeles, "Diego")
    july_15 = date(2026, 7, 15)  # 14 days after 1 July (Auckland), 15 after 30 June (LA)
    _term(auckland, kiwi, _rolling(make, auckland), july_15)
    _term(los_angeles, angeleno, _rolling(make, los_angeles), july_15)

    first = tasks.run_daily(NOW)
    assert (first["auckland"]["reminded"], first["la"]["reminded"]) == (1, 0)
    later = tasks.run_daily(NOW + timedelta(hours=19))  # 00:30 on 1 July in LA
    assert (later["auckland"]["reminded"], later["la"]["reminded"]) == (0, 1)
    assert sorted(m["To"] for m in outbox()) == [
        "aroha.parent@example.com",
        "diego.parent@example.com",
    ]


def test_a_suspended_term_that_ends_expires_instead_of_coming_back(make, los_angeles):
    """Does a term that ends while suspended expire, rather than be lifted to active?"""
    _, kid = _family(make, los_angeles)
    plan = make.plan(los_angeles, "Spring")
    term = _term(
        los_angeles,
        kid,
        plan,
        date(2026, 6, 15),
        SUSPENDED,
        suspended_until=date(2026, 6, 20),
        suspension_reason="Red card",
    )

    results = tasks.run_daily(NOW)

    assert (results["la"]["expired"], results["la"]["lifted"]) == (1, 0)
    assert _status(term) == EXPIRED


def test_a_term_whose_end_moves_is_reminded_again_for_its_new_end(make, los_angeles, outbox):
    """Once a term's end date moves later, is it reminded once more, for the new end only?"""
    _, kid = _family(make, los_angeles)
    term = _term(los_angeles, kid, _rolling(make, los_angeles), JUNE_30 + timedelta(days=10))
    assert tasks.run_daily(NOW)["la"]["reminded"] == 1

    with unscoped():
        db.session.get(Membership, term.id).ends_on = date(2026, 8, 31)
        db.session.commit()
    assert tasks.run_daily(NOW)["la"]["reminded"] == 0  # not yet due for 31 August
    later = NOW + timedelta(days=50)  # 19 August in LA
    assert tasks.run_daily(later)["la"]["reminded"] == 1
    assert tasks.run_daily(later)["la"]["reminded"] == 0
    assert [m["Subject"] for m in outbox()] == [
        "Mia's membership ends on 10 July: time to renew",
        "Mia's membership ends on 31 August: time to renew",
    ]


def test_a_second_run_loses_the_race_for_a_reminder(make, los_angeles):
    """If two runs pick the same term at once, does only one of them claim its reminder?"""
    _, kid = _family(make, los_angeles)
    _term(los_angeles, kid, _rolling(make, los_angeles), JUNE_30 + timedelta(days=10))
    with league_scope(los_angeles.id):
        (seen_by_one,) = notifications.reminders_due(los_angeles, JUNE_30)
        (seen_by_other,) = notifications.reminders_due(los_angeles, JUNE_30)
        assert notifications.claim_reminder(seen_by_one) is True
        assert notifications.claim_reminder(seen_by_other) is False


def test_the_command_run_twice_does_nothing_the_second_time(app, make, los_angeles, outbox):
    """Run twice, does `flask memberships run-daily` expire, lift and remind only once?"""
    today = today_in(los_angeles)
    _, kid = _family(make, los_angeles)
    _, other = _family(make, los_angeles, "Leo")
    _term(los_angeles, kid, make.plan(los_angeles, "Spring"), today - timedelta(days=1))
    _term(
        los_angeles,
        kid,
        make.plan(los_angeles, "Summer"),
        today + timedelta(days=200),
        SUSPENDED,
        suspended_until=today - timedelta(days=1),
    )
    _term(los_angeles, other, _rolling(make, los_angeles), today + timedelta(days=3))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["memberships", "run-daily"])
    second = runner.invoke(args=["memberships", "run-daily"])

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert "la: 1 expired, 1 suspensions lifted, 1 renewal reminders" in first.output
    assert "la: 0 expired, 0 suspensions lifted, 0 renewal reminders" in second.output
    assert [m["To"] for m in outbox()] == ["leo.parent@example.com"]
