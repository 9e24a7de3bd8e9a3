"""The league admin's memberships list and its actions (suspend, lift, cancel), rosters,
and isolation from other leagues and from staff without the admin role."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships import admin_queries
from portal.memberships import admin_services as services
from portal.memberships.models import Membership, MembershipStatus, Plan, Program
from tests.memberships.admin_helpers import TODAY, fresh, member, paid, season
from tests.memberships.admin_view_helpers import BASE, HX, _errors

# -- the memberships list -------------------------------------------------------------------------


@pytest.fixture
def memberships(make, league, parent, plan):
    """Mia and Leo on Spring, Ava on Camp (newest last)."""
    camp = season(make, league, "Camp")
    kids = [make.ready_profile(league, parent, name) for name in ("Mia", "Leo", "Ava")]
    return [
        member(league, plan, kids[0]),
        member(league, plan, kids[1]),
        member(league, camp, kids[2]),
    ]


def test_the_list_shows_player_plan_status_and_dates(as_admin, memberships):
    """Does each row show the player, the plan, the status and the term's dates?"""
    page = as_admin.get(f"{BASE}/memberships").text
    row = memberships[0]
    assert f'id="membership-{row.id}"' in page and "Mia Kim" in page
    assert "Program for Spring: Spring" in page and "mstatus-active" in page
    start = fresh(Membership, row.id).starts_on
    assert f"{start.day} {start:%b %Y} to " in page
    assert "1 to 3 of 3 memberships" in page


def test_the_list_filters_by_plan_status_and_name(as_admin, memberships, plan):
    """Do the filters narrow the list, and does htmx get the list alone?"""
    page = as_admin.get(f"{BASE}/memberships?plan={plan.id}").text
    assert "Leo Kim" in page and "Ava Kim" not in page
    page = as_admin.get(f"{BASE}/memberships?q=ava&status=all").text
    assert "Ava Kim" in page and "Mia Kim" not in page
    fragment = as_admin.get(f"{BASE}/memberships?status=cancelled", headers=HX).text
    assert fragment.startswith('<div id="membership-list"') and "<html" not in fragment
    assert "No memberships with these filters." in fragment


def test_the_list_is_paged(as_admin, memberships, monkeypatch):
    """Past a page's worth, are there Previous and Next links that keep the filters?"""
    monkeypatch.setattr(admin_queries, "PER_PAGE", 2)
    monkeypatch.setattr(admin_queries.memberships, "__defaults__", (2,))
    page = as_admin.get(f"{BASE}/memberships?status=active").text
    assert "Page 1 of 2" in page and "status=active&amp;page=2" in page
    second = as_admin.get(f"{BASE}/memberships?status=active&page=2").text
    assert "3 to 3 of 3" in second and "Mia Kim" in second


def test_the_payment_is_linked_for_refunds(as_admin, league, parent, kid, plan, held_events):
    """Does a paid membership link to its payment, where refunds are made?"""
    order = paid(league, parent, [kid], plan)
    page = as_admin.get(f"{BASE}/memberships").text
    assert f"/l/riverside/payments/{order.id}" in page


def test_suspending_without_javascript(as_admin, memberships):
    """Does a plain post suspend, then redirect back to the list with its filters?"""
    row = memberships[0]
    until = TODAY + timedelta(days=7)
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend",
        data={"reason": "Red card", "until": until.isoformat(), "status": "all", "q": "mia"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/memberships?status=all&q=mia")
    suspended = fresh(Membership, row.id)
    assert (suspended.status, suspended.suspended_until) == (MembershipStatus.SUSPENDED, until)
    assert "suspended by Maria Lopez" in suspended.suspension_reason
    page = as_admin.get(response.headers["Location"]).text
    assert "Mia Kim is suspended until" in page and "lifted automatically the day after" in page


def test_suspending_with_htmx_swaps_the_row(as_admin, memberships):
    """Does htmx get just the row, now suspended and offering to lift it?"""
    row = memberships[0]
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend", data={"reason": "Unpaid fees"}, headers=HX
    )
    assert response.status_code == 200
    assert response.text.startswith(f'<li class="row membership-row" id="membership-{row.id}"')
    assert "Lift suspension" in response.text and "until lifted: Unpaid fees" in response.text
    assert "is suspended until you lift it" in response.text  # the flash, out of band


@pytest.mark.parametrize("htmx", [True, False])
def test_a_suspension_without_a_reason_is_refused_in_its_row(as_admin, memberships, htmx):
    """Is a suspension without a reason answered 422 with the message in the row, form open?"""
    row = memberships[0]
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend",
        data={"reason": " ", "until": (TODAY + timedelta(days=3)).isoformat()},
        headers=HX if htmx else {},
    )
    assert response.status_code == 422
    assert "Say why the membership is suspended." in _errors(response.text)
    assert ("<html" in response.text) is not htmx
    assert re.search(r'<details class="action" open>\s*<summary[^>]*>Suspend', response.text)
    assert fresh(Membership, row.id).status == MembershipStatus.ACTIVE


def test_a_suspension_ending_in_the_past_is_refused(as_admin, memberships):
    """Is an end date before today refused on the date field, with the typed values kept?"""
    row = memberships[0]
    past = (TODAY - timedelta(days=1)).isoformat()
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend", data={"reason": "Ban", "until": past}, headers=HX
    )
    assert response.status_code == 422
    assert "The suspension must end today or later." in _errors(response.text)
    assert f'value="{past}"' in response.text and ">Ban</textarea>" in response.text

    bad = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend", data={"reason": "Ban", "until": "soon"}, headers=HX
    )
    assert bad.status_code == 422 and "Enter a date like 2027-03-06." in _errors(bad.text)


def test_lifting_a_suspension(as_admin, league, admin, memberships):
    """Does lifting make the membership active again, with a message?"""
    row = memberships[0]
    with league_scope(league.id):
        services.suspend_membership(fresh(Membership, row.id), admin, "Ban", None, TODAY)
        db.session.commit()
    response = as_admin.post(f"{BASE}/memberships/{row.id}/lift", headers=HX)
    assert response.status_code == 200 and "suspension is lifted" in response.text
    assert fresh(Membership, row.id).status == MembershipStatus.ACTIVE
    again = as_admin.post(f"{BASE}/memberships/{row.id}/lift")
    assert again.status_code == 303
    assert "not suspended" in as_admin.get(again.headers["Location"]).text


def test_cancelling_says_no_money_moved(as_admin, memberships):
    """Does cancelling end the membership and say that refunds are made from the payment?"""
    row = memberships[0]
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/cancel", data={"reason": "Moved away"}, headers=HX
    )
    assert response.status_code == 200
    assert "No money was refunded" in response.text and "mstatus-cancelled" in response.text
    cancelled = fresh(Membership, row.id)
    assert cancelled.status == MembershipStatus.CANCELLED
    assert cancelled.end_reason.startswith("Moved away (cancelled by Maria Lopez")


def test_cancelling_without_a_reason_is_refused(as_admin, memberships):
    """Is a cancellation without a reason answered 422 in its row, nothing changed?"""
    row = memberships[0]
    response = as_admin.post(f"{BASE}/memberships/{row.id}/cancel", data={"reason": ""})
    assert response.status_code == 422
    assert "Say why the membership is cancelled." in _errors(response.text)
    assert fresh(Membership, row.id).status == MembershipStatus.ACTIVE


def test_a_refusal_for_a_row_off_the_page_becomes_a_message(as_admin, memberships, plan):
    """When the filters hide the row, is the refusal still shown (as a message)?"""
    row = memberships[2]  # Ava, on Camp
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/cancel", data={"reason": "", "plan": str(plan.id)}
    )
    assert response.status_code == 422
    assert "Say why the membership is cancelled." in response.text


# -- the roster ----------------------------------------------------------------------------


def test_the_roster_shows_current_players_with_photo_and_age_group(
    as_admin, admin, make, league, parent, plan
):
    """Does the roster list current players with a thumbnail link and age group, printable?"""
    make.age_group(league, "Everyone", 0, 120)
    mia = make.ready_profile(league, parent, "Mia", photo_thumb_key="leagues/x/thumb.jpg")
    leo = make.ready_profile(league, parent, "Leo", last_name="Adams")
    member(league, plan, mia)
    gone = member(league, plan, leo)
    with league_scope(league.id):
        services.cancel_membership(fresh(Membership, gone.id), admin, "Left", TODAY)
        db.session.commit()
    page = as_admin.get(f"{BASE}/plans/{plan.id}/roster").text
    assert "Kim, Mia" in page and "Adams, Leo" not in page
    assert f"/l/riverside/players/{mia.id}/photo?size=thumb" in page
    assert "Everyone" in page and "1 player" in page and "(20 places)" in page
    assert "css/programs.css" in page and "no-print" in page


# -- isolation -----------------------------------------------------------------------------


@pytest.fixture
def bravo(make, league):
    """League B's plan and a membership in it."""
    b = make.league("bravo")
    guardian = make.user()
    profile = make.ready_profile(b, guardian, "Bee")
    b_plan = season(make, b, "Bravo season")
    return b_plan, member(b, b_plan, profile)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/{program}/edit"),
        ("post", "/{program}/edit"),
        ("post", "/{program}/archive"),
        ("get", "/{program}/plans/new"),
        ("get", "/plans/{plan}/edit"),
        ("post", "/plans/{plan}/close"),
        ("get", "/plans/{plan}/roster"),
        ("get", "/plans/{plan}/agreement.pdf"),
        ("post", "/memberships/{membership}/suspend"),
        ("post", "/memberships/{membership}/cancel"),
    ],
)
def test_another_leagues_ids_are_not_found(as_admin, bravo, method, path):
    """Can league A's admin reach league B's program, plan or membership through A's address?"""
    b_plan, b_membership = bravo
    url = BASE + path.format(program=b_plan.program_id, plan=b_plan.id, membership=b_membership.id)
    response = getattr(as_admin, method)(url, data={"name": "Taken", "reason": "Because"})
    assert response.status_code == 404
    assert fresh(Plan, b_plan.id).is_open and fresh(Program, b_plan.program_id).name != "Taken"
    assert fresh(Membership, b_membership.id).status == MembershipStatus.ACTIVE


def test_staff_without_the_admin_role_get_not_found(client, login, make, league, plan):
    """Does a registrar get "not found" on the admin pages?"""
    login(make.member(league, Role.REGISTRAR))
    assert client.get(f"{BASE}/").status_code == 404
    assert client.get(f"{BASE}/memberships").status_code == 404
