"""Two registrars deciding on the same profile at the same moment."""

from __future__ import annotations

import threading

import pytest

from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.players import reviews
from portal.players.models import EventKind, PlayerProfile, ProfileEvent, ProfileStatus
from portal.players.services import ProfileError


@pytest.mark.parametrize("second", ["approve", "request_changes"])
def test_a_second_decision_on_a_stale_page_is_refused(app, make, second):
    """If registrar B still sees a profile that A just approved, is B's decision refused
    (one decision, one history entry, one email)?"""
    league = make.league("race")
    first_registrar = make.member(league, Role.REGISTRAR)
    second_registrar = make.member(league, Role.REGISTRAR)
    profile_id = make.profile(league, make.user(), status=ProfileStatus.SUBMITTED).id
    loaded, decided, outcome = threading.Event(), threading.Event(), {}

    def registrar_b():
        with app.app_context(), league_scope(league.id):
            stale = db.session.get(PlayerProfile, profile_id)  # the page B is looking at
            loaded.set()
            decided.wait(10)
            try:
                if second == "approve":
                    reviews.approve(stale, second_registrar)
                else:
                    reviews.request_changes(stale, second_registrar, "Blurred photo.")
                db.session.commit()
            except ProfileError as error:
                db.session.rollback()
                outcome["error"] = str(error)

    thread = threading.Thread(target=registrar_b)
    thread.start()
    loaded.wait(10)
    with league_scope(league.id):
        reviews.approve(db.session.get(PlayerProfile, profile_id), first_registrar)
        db.session.commit()
    decided.set()
    thread.join(20)
    assert "just decided" in outcome.get("error", "")
    with unscoped():
        db.session.expire_all()
        assert db.session.get(PlayerProfile, profile_id).status == ProfileStatus.VERIFIED
        decisions = (
            db.session.query(ProfileEvent)
            .filter_by(profile_id=profile_id, kind=EventKind.STATUS)
            .count()
        )
    assert decisions == 1
