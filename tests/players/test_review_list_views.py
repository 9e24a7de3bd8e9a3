"""The registrar's list of profiles with bulk approval, and unlocking a verified profile
(the staff actions on the profile page)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask import g
from flask_login import login_user

from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players import reviews, services
from portal.players.models import EventKind, PlayerProfile, ProfileStatus
from tests.dbutil import sql_statements
from tests.players.review_helpers import BASE, HX, events_of, fresh, submitted

# -- the list and bulk approval ------------------------------------------------------------


def test_list_filters_and_search(client, login, league, parent, registrar, make):
    """Does the list filter by status, search by name, and count each status?"""
    mia = submitted(league, parent, "Mia", minutes_ago=10)
    submitted(league, parent, "Leo", minutes_ago=5)
    make.profile(league, parent, first_name="Ava", last_name="Draft")
    make.profile(league, parent, first_name="Zoe", last_name="Done", status=ProfileStatus.VERIFIED)
    login(registrar)
    page = client.get(f"{BASE}/list").get_data(as_text=True)  # default: waiting
    assert "Mia Parent" in page and "Leo Parent" in page
    assert "Ava Draft" not in page and "Zoe Done" not in page
    assert page.index("Mia Parent") < page.index("Leo Parent")  # oldest submission first
    assert f'name="ids" value="{mia.id}"' in page and "Approve selected" in page
    assert re.search(r'aria-current="page">Waiting <span class="tab-count">2</span>', page)
    assert re.search(r'>All <span class="tab-count">4</span>', page)

    verified = client.get(f"{BASE}/list?status=verified").get_data(as_text=True)
    assert "Zoe Done" in verified and "Mia Parent" not in verified
    assert 'name="ids"' not in verified and "Approve selected" not in verified

    found = client.get(f"{BASE}/list?status=all&q=MIA%20par", headers=HX).get_data(as_text=True)
    assert "<html" not in found and 'id="review-list"' in found
    assert "Mia Parent" in found and "Leo Parent" not in found and "Ava Draft" not in found
    assert 'id="review-status" name="status" value="all" hx-swap-oob="true"' in found

    nothing = client.get(f"{BASE}/list?q=nobody").get_data(as_text=True)
    assert "No profiles match" in nothing and "Search every status" in nothing
    assert "<html" in client.get(f"{BASE}/list?status=bogus").get_data(as_text=True)


def test_bulk_approve_only_approves_the_selected_waiting_ones(
    client, login, league, parent, registrar, make, outbox
):
    """Are only the ticked Submitted profiles approved, others (unticked, drafts) untouched?"""
    one = submitted(league, parent, "One", minutes_ago=30)
    two = submitted(league, parent, "Two", minutes_ago=20)
    three = submitted(league, parent, "Three", minutes_ago=10)
    draft = make.profile(league, parent, first_name="Ava", last_name="Draft")
    login(registrar)
    response = client.post(
        f"{BASE}/bulk-approve",
        data={"ids": [one.id, three.id, draft.id, "junk", "99999999999"], "status": "submitted"},
        headers=HX,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="review-list"' in page and "<html" not in page
    assert "Approved 2 profiles; 1 was not waiting" in page
    assert [fresh(p).status for p in (one, two, three, draft)] == [
        ProfileStatus.VERIFIED,
        ProfileStatus.SUBMITTED,
        ProfileStatus.VERIFIED,
        ProfileStatus.DRAFT,
    ]
    assert "Two Parent" in page and "One Parent" not in page  # the waiting list, refreshed
    assert len(outbox()) == 2

    plain = client.post(f"{BASE}/bulk-approve", data={"ids": [two.id], "q": "two"})
    assert plain.status_code == 303
    assert plain.headers["Location"] == f"{BASE}/list?status=submitted&q=two"
    assert fresh(two).status == ProfileStatus.VERIFIED
    empty = client.post(f"{BASE}/bulk-approve", data={}, headers=HX).get_data(as_text=True)
    assert "Tick the profiles to approve first." in empty


def test_list_of_200_profiles_takes_a_few_queries(client, login, league, parent, registrar, make):
    """Does the list of 200 profiles cost the same handful of queries as a list of 2?"""
    make.age_group(league, "U10", min_age=9, max_age=10)
    guardians = [make.user(name=f"Guardian {n}") for n in range(3)]

    def add(count: int, start: int) -> None:
        with league_scope(league.id):
            for n in range(start, start + count):
                db.session.add(
                    PlayerProfile(
                        league_id=league.id,
                        guardian_id=guardians[n % 3].id,
                        first_name=f"Player{n}",
                        last_name="Test",
                        date_of_birth=date(2016, 1, 1) + timedelta(days=n),
                        status=ProfileStatus.SUBMITTED,
                        submitted_at=datetime.now(UTC) - timedelta(minutes=n),
                        photo_key=f"leagues/{league.id}/players/{n}/photo.jpg",
                        photo_thumb_key=f"leagues/{league.id}/players/{n}/thumb.jpg",
                    )
                )
            db.session.commit()

    login(registrar)
    add(2, 0)
    with sql_statements() as small:
        assert client.get(f"{BASE}/list").status_code == 200
    add(198, 2)
    with sql_statements() as large:
        page = client.get(f"{BASE}/list?status=all").get_data(as_text=True)
    assert page.count('class="profile-row"') == 200
    assert len(large) == len(small) <= 8, large


# -- unlock and the staff actions on the profile page ---------------------------------------


def test_unlock_lets_the_player_change_locked_fields(client, login, league, parent, registrar):
    """Does unlocking a verified profile record it and go back to the profile page?"""
    mia = submitted(league, parent)
    with league_scope(league.id):
        reviews.approve(fresh(mia), registrar)
        db.session.commit()
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/unlock")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/l/riverside/players/{mia.id}"
    profile = fresh(mia)
    assert profile.unlocked_at is not None and profile.unlocked_by_id == registrar.id
    assert events_of(mia)[-1].kind == EventKind.UNLOCK
    with league_scope(league.id):
        assert not services.is_locked(profile)
    htmx = client.post(f"{BASE}/{mia.id}/unlock", headers=HX)  # again: harmless
    assert htmx.headers["HX-Redirect"] == f"/l/riverside/players/{mia.id}"
    assert [e.kind for e in events_of(mia)].count(EventKind.UNLOCK) == 1


def test_unlock_refuses_a_profile_that_is_not_verified(client, login, league, parent, registrar):
    """Is unlocking a waiting profile refused with a message, nothing recorded?"""
    mia = submitted(league, parent)
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/unlock", follow_redirects=False)
    assert response.status_code == 303
    assert fresh(mia).unlocked_at is None
    with client.session_transaction() as session:
        assert ("error", "Only a verified profile is locked.") in session["_flashes"]


def test_profile_actions_partial_offers_review_and_unlock(app, league, parent, registrar, make):
    """Does the profile page's staff partial offer Review when waiting and Unlock when
    verified, and nothing to a player?"""
    from flask import render_template

    mia = submitted(league, parent)

    def rendered(user, profile) -> str:
        with app.test_request_context("/l/riverside/players/1"):
            g.league = league
            login_user(user)
            with league_scope(league.id):
                return render_template(
                    "review/_profile_actions.html",
                    profile=db.session.get(PlayerProfile, profile.id),
                )

    assert f'href="{BASE}/{mia.id}"' in rendered(registrar, mia)
    assert rendered(parent, mia).strip() == ""
    with league_scope(league.id):
        reviews.approve(fresh(mia), registrar)
        db.session.commit()
    page = rendered(registrar, mia)
    assert f'action="{BASE}/{mia.id}/unlock"' in page
    assert "Unlock name, date of birth and photo" in page
    with league_scope(league.id):
        reviews.unlock(fresh(mia), registrar)
        db.session.commit()
    assert "unlock" not in rendered(registrar, mia)
