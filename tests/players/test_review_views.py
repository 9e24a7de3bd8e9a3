"""The registrar's review screens: the queue, and deciding (approve, request changes)
with htmx and without JavaScript."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players import reviews
from portal.players.models import EventKind, ProfileStatus
from tests.players.review_helpers import BASE, HX, events_of, fresh, submitted


def heading(page: str) -> str:
    """The name on the review screen."""
    return re.search(r'<h2 id="review-name"[^>]*>([^<]+)</h2>', page).group(1)


# -- the queue -------------------------------------------------------------------------


def test_queue_shows_the_oldest_submission_first(client, login, league, parent, registrar):
    """Does the queue open on the profile submitted longest ago, with the count waiting?"""
    submitted(league, parent, "Newest", minutes_ago=1)
    submitted(league, parent, "Oldest", minutes_ago=30)
    submitted(league, parent, "Middle", minutes_ago=10)
    login(registrar)
    response = client.get(f"{BASE}/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page
    assert heading(page) == "Oldest Parent"
    assert "<strong>3</strong> waiting" in page
    assert "<strong>1</strong> of 3" in page
    assert "css/review.css" in page and "js/review.js" in page
    assert " style=" not in page and "<script>" not in page  # the CSP allows neither


def test_empty_queue_says_all_caught_up(client, login, league, registrar):
    """With nothing waiting, does the registrar see "All caught up" and a way to the list?"""
    login(registrar)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "All caught up" in page and "<strong>0</strong> waiting" in page
    assert f'href="{BASE}/list?status=all"' in page


def test_review_screen_shows_age_group_and_computed_age(
    client, login, league, parent, registrar, make
):
    """Does the screen show the age under the league's rule and the matching age group?"""
    make.age_group(league, "U10", min_age=9, max_age=10, position=1)
    make.age_group(league, "U12", min_age=11, max_age=12, position=2)
    profile = submitted(league, parent, date_of_birth=date(2016, 3, 14))
    login(registrar)
    page = client.get(f"{BASE}/{profile.id}").get_data(as_text=True)
    assert "14 Mar 2016" in page
    assert "<strong>10</strong>" in page and "on 31 Dec 2026" in page  # age on the cutoff
    assert "<strong>U10</strong>" in page and "ages 9-10" in page
    assert "Birth certificate" in page and "Open original (PDF)" in page
    assert "Pat Parent" in page and "parent@example.com" in page
    assert "Approve" in page and "Request changes" in page
    for reason in reviews.COMMON_REASONS:
        assert reason in page


def test_item_of_a_verified_profile_shows_no_decision(client, login, league, parent, registrar):
    """Opened from its page, does a verified profile show without Approve/Request buttons?"""
    profile = submitted(league, parent)
    with league_scope(league.id):
        reviews.approve(fresh(profile), registrar)
        db.session.commit()
    login(registrar)
    page = client.get(f"{BASE}/{profile.id}").get_data(as_text=True)
    assert "Not in the queue" in page and "nothing to decide" in page
    assert "/approve" not in page and "request-changes" not in page


def test_item_by_htmx_is_the_fragment(client, login, league, parent, registrar):
    """Does moving with j/k (an htmx GET) answer only the item, with the counter out of band?"""
    first = submitted(league, parent, "First", minutes_ago=5)
    second = submitted(league, parent, "Second", minutes_ago=1)
    login(registrar)
    page = client.get(f"{BASE}/{second.id}", headers=HX).get_data(as_text=True)
    assert "<html" not in page and page.lstrip().startswith('<section id="review-item"')
    assert "<strong>2</strong> of 2" in page
    assert f'href="{BASE}/{first.id}"' in page and 'rel="prev"' in page
    assert 'id="queue-count" class="queue-count" hx-swap-oob="true"' in page


# -- decisions ---------------------------------------------------------------------------


def test_approve_by_htmx_answers_the_next_profile(client, login, league, parent, registrar, outbox):
    """Does approving by htmx verify the profile (history, email) and answer with the next
    profile's fragment, the flash and the counter out of band?"""
    mia = submitted(league, parent, minutes_ago=10)
    leo = submitted(league, parent, "Leo", minutes_ago=5)
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/approve", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page and heading(page) == "Leo Parent"
    assert re.search(r'id="flashes"[^>]*hx-swap-oob="true"', page)
    assert "Approved Mia Parent" in page
    assert "<strong>1</strong> waiting" in page and "<strong>1</strong> of 1" in page
    assert re.search(r'id="review-tab-count" hx-swap-oob="true">.*aria-label="1 waiting"', page)
    assert response.headers["HX-Replace-Url"] == f"{BASE}/{leo.id}"
    assert fresh(mia).status == ProfileStatus.VERIFIED
    assert fresh(mia).reviewed_by_id == registrar.id
    statuses = [
        (e.from_value, e.to_value, e.actor_id) for e in events_of(mia) if e.kind == EventKind.STATUS
    ]
    assert statuses[-1] == ("submitted", "verified", registrar.id)
    (mail,) = outbox()
    assert mail["To"] == "parent@example.com" and "verified" in mail["Subject"]


def test_approve_without_javascript_goes_back_to_the_queue(
    client, login, league, parent, registrar
):
    """Does a plain form post approve and redirect (303) to the queue, flash on the next page?"""
    mia = submitted(league, parent)
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/approve")
    assert response.status_code == 303 and response.headers["Location"] == f"{BASE}/"
    assert fresh(mia).status == ProfileStatus.VERIFIED
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Approved Mia Parent" in page and "All caught up" in page


def test_approving_mid_queue_moves_to_the_one_after(client, login, league, parent, registrar):
    """After approving the 2nd of 3, is the next profile the 3rd (not back to the 1st)?"""
    submitted(league, parent, "One", minutes_ago=30)
    two = submitted(league, parent, "Two", minutes_ago=20)
    submitted(league, parent, "Three", minutes_ago=10)
    login(registrar)
    page = client.post(f"{BASE}/{two.id}/approve", headers=HX).get_data(as_text=True)
    assert heading(page) == "Three Parent"
    assert "<strong>2</strong> of 2" in page


def test_approving_the_last_goes_to_the_first_left_then_all_caught_up(
    client, login, league, parent, registrar
):
    """Approving the last in line goes to the first one skipped; the very last empties it."""
    one = submitted(league, parent, "One", minutes_ago=30)
    two = submitted(league, parent, "Two", minutes_ago=20)
    login(registrar)
    page = client.post(f"{BASE}/{two.id}/approve", headers=HX).get_data(as_text=True)
    assert heading(page) == "One Parent"
    response = client.post(f"{BASE}/{one.id}/approve", headers=HX)
    page = response.get_data(as_text=True)
    assert "All caught up" in page and "<strong>0</strong> waiting" in page
    assert response.headers["HX-Replace-Url"] == f"{BASE}/"


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"reason": reviews.COMMON_REASONS[1]}, reviews.COMMON_REASONS[1]),
        (
            {"details": "  Please use a photo without sunglasses. "},
            "Please use a photo without sunglasses.",
        ),
        (
            {"reason": reviews.COMMON_REASONS[2], "details": "Page 2 is missing."},
            f"{reviews.COMMON_REASONS[2]} Page 2 is missing.",
        ),
    ],
    ids=["common", "typed", "both"],
)
def test_request_changes_with_a_common_or_typed_reason(
    client, login, league, parent, registrar, outbox, form, expected
):
    """Does the reason (chosen, typed, or both) reach the profile, its history and the email?"""
    mia = submitted(league, parent, minutes_ago=10)
    leo = submitted(league, parent, "Leo", minutes_ago=5)
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/request-changes", data=form, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and heading(page) == "Leo Parent"
    assert "Changes requested for Mia Parent" in page
    assert response.headers["HX-Replace-Url"] == f"{BASE}/{leo.id}"
    profile = fresh(mia)
    assert profile.status == ProfileStatus.CHANGES_REQUESTED
    assert profile.change_reason == expected
    assert events_of(mia)[-1].reason == expected
    (mail,) = outbox()
    assert expected in mail.get_body().get_content()


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "no-js"])
def test_empty_reason_is_422_with_the_error_next_to_the_field(
    client, login, league, parent, registrar, outbox, headers
):
    """An empty reason: 422, the message beside the reason field, nothing changed or sent?"""
    mia = submitted(league, parent)
    before = len(events_of(mia))
    login(registrar)
    response = client.post(
        f"{BASE}/{mia.id}/request-changes", data={"reason": " ", "details": ""}, headers=headers
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("<html" in page) is (not headers)
    assert heading(page) == "Mia Parent"
    assert '<details class="reason-picker" open>' in page
    assert 'aria-describedby="reason-error"' in page
    assert re.search(r'<p class="error" id="reason-error"[^>]*>Choose or type the reason', page)
    assert fresh(mia).status == ProfileStatus.SUBMITTED
    assert len(events_of(mia)) == before and outbox() == []


@pytest.mark.parametrize("action", ["approve", "request-changes"])
def test_acting_on_a_profile_no_longer_waiting(
    client, login, league, parent, registrar, make, outbox, action
):
    """If someone else decided first, is the registrar told and moved on, nothing changed?"""
    mia = submitted(league, parent, minutes_ago=10)
    leo = submitted(league, parent, "Leo", minutes_ago=5)
    with league_scope(league.id):
        reviews.approve(fresh(mia), make.member(league, Role.ADMIN))
        db.session.commit()
    before, mails = len(events_of(mia)), len(outbox())
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/{action}", data={"reason": "Blurred"}, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and heading(page) == "Leo Parent"
    assert "Mia Parent is no longer waiting for review (now verified)" in page
    assert fresh(mia).status == ProfileStatus.VERIFIED
    assert len(events_of(mia)) == before and len(outbox()) == mails
    assert fresh(leo).status == ProfileStatus.SUBMITTED
    plain = client.post(f"{BASE}/{mia.id}/{action}", data={"reason": "Blurred"})
    assert plain.status_code == 303 and plain.headers["Location"] == f"{BASE}/"


def test_decision_forms_carry_the_csrf_token(client, login, league, parent, registrar, csrf_on):
    """With CSRF enforced, does a post without the token fail and the page's own form work?"""
    mia = submitted(league, parent)
    login(registrar)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert client.post(f"{BASE}/{mia.id}/approve").status_code == 400
    assert fresh(mia).status == ProfileStatus.SUBMITTED
    form = re.search(
        r'<form class="review-approve" method="post" action="([^"]+)".*?</form>', page, re.S
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0)).group(1)
    response = client.post(form.group(1), data={"csrf_token": token})
    assert response.status_code == 303 and fresh(mia).status == ProfileStatus.VERIFIED
