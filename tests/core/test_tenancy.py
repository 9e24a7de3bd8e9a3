"""Tenant isolation: reads are filtered by league, and unscoped reads are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.permissions import Role
from portal.core.tenancy import TenancyError, league_scope, unscoped
from portal.extensions import db
from portal.leagues.models import LeagueRole


def test_reading_a_tenant_table_with_no_league_raises(make):
    """Is a read of a league-owned table outside any league refused?"""
    league = make.league()
    make.member(league, Role.ADMIN)
    with pytest.raises(TenancyError):
        db.session.scalars(select(LeagueRole)).all()


def test_reads_are_filtered_to_the_current_league(make):
    """Does a league-scoped read see only its own league's rows?"""
    a, b = make.league(), make.league()
    make.member(a, Role.ADMIN)
    make.member(b, Role.ADMIN)
    make.member(b, Role.REFEREE)
    with league_scope(a.id):
        assert {r.league_id for r in db.session.scalars(select(LeagueRole))} == {a.id}
    with league_scope(b.id):
        assert len(db.session.scalars(select(LeagueRole)).all()) == 2


def test_get_by_id_of_another_league_finds_nothing(make):
    """Can a primary-key load cross into another league?"""
    a, b = make.league(), make.league()
    a_id, grant_id = a.id, make.grant(make.user(), b, Role.PLAYER).id
    db.session.expunge_all()  # no identity-map shortcut
    with league_scope(a_id):
        found = db.session.execute(select(LeagueRole).where(LeagueRole.id == grant_id))
        assert found.scalar_one_or_none() is None


def test_unscoped_block_reads_every_league(make):
    """Does an explicit unscoped block see all leagues (platform admin, jobs)?"""
    a, b = make.league(), make.league()
    make.member(a, Role.ADMIN)
    make.member(b, Role.ADMIN)
    with unscoped():
        assert len(db.session.scalars(select(LeagueRole)).all()) == 2


def test_a_league_scope_inside_an_unscoped_block_filters_again(make):
    """Does a job that found its league while unscoped read only that league in its scope?"""
    a, b = make.league(), make.league()
    make.member(a, Role.ADMIN)
    make.member(b, Role.ADMIN)
    with unscoped():
        with league_scope(a.id):
            assert {r.league_id for r in db.session.scalars(select(LeagueRole))} == {a.id}
        assert len(db.session.scalars(select(LeagueRole)).all()) == 2  # unscoped again


def test_leaving_a_league_scope_writes_its_rows(make):
    """Can a job work through two leagues in one transaction (each flushed in its scope)?"""
    a, b = make.league(), make.league()
    person = make.user()
    for league in (a, b):
        with league_scope(league.id):
            db.session.add(LeagueRole(user_id=person.id, role=Role.PLAYER))
    db.session.commit()
    with unscoped():
        assert {r.league_id for r in db.session.scalars(select(LeagueRole))} == {a.id, b.id}


def test_new_rows_take_the_current_league(make):
    """Is a new tenant row stamped with the league in scope?"""
    league, person = make.league(), make.user()
    with league_scope(league.id):
        grant = LeagueRole(user_id=person.id, role=Role.REFEREE)
        db.session.add(grant)
        db.session.flush()
        assert grant.league_id == league.id
    db.session.rollback()


def test_writing_into_another_league_is_refused(make):
    """Can code scoped to league A write a row into league B?"""
    a, b = make.league(), make.league()
    person = make.user()
    with league_scope(a.id):
        db.session.add(LeagueRole(league_id=b.id, user_id=person.id, role=Role.PLAYER))
        with pytest.raises(TenancyError):
            db.session.flush()
        db.session.rollback()


def test_new_row_with_no_league_anywhere_is_refused(make):
    person = make.user()
    db.session.add(LeagueRole(user_id=person.id, role=Role.PLAYER))
    with pytest.raises(TenancyError):
        db.session.flush()
    db.session.rollback()


def test_counts_through_select_from_are_filtered(make):
    """Is `select(func.count()).select_from(Model)` scoped like any other read?"""
    from sqlalchemy import func

    a, b = make.league(), make.league()
    make.member(a, Role.ADMIN)
    make.member(b, Role.ADMIN)
    make.member(b, Role.REFEREE)
    count = select(func.count()).select_from(LeagueRole)
    with league_scope(a.id):
        assert db.session.scalar(count) == 1
    with pytest.raises(TenancyError):
        db.session.scalar(count)


def test_subqueries_and_exists_are_filtered(make):
    """Does a tenant table inside a subquery or EXISTS get the league filter too?"""
    from sqlalchemy import exists

    from portal.accounts.models import User

    a, b = make.league(), make.league()
    person = make.member(b, Role.PLAYER)
    in_b = select(User.id).where(User.id.in_(select(LeagueRole.user_id)))
    has_role = select(exists().where(LeagueRole.user_id == person.id))
    with league_scope(a.id):
        assert db.session.scalars(in_b).all() == []
        assert db.session.scalar(has_role) is False
    with league_scope(b.id):
        assert db.session.scalars(in_b).all() == [person.id]


def test_a_plain_core_table_is_refused(make):
    """Is a tenant table used as a Core table (which the ORM filter cannot see) refused?"""
    from sqlalchemy import func

    league = make.league()
    with league_scope(league.id), pytest.raises(TenancyError, match="Core table"):
        db.session.scalar(select(func.count()).select_from(LeagueRole.__table__))


def test_aliases_are_filtered(make):
    """Is a read through an alias of a tenant model scoped (and refused with no league)?"""
    from sqlalchemy.orm import aliased

    a, b = make.league(), make.league()
    make.member(a, Role.ADMIN)
    make.member(b, Role.ADMIN)
    other = aliased(LeagueRole)
    with league_scope(a.id):
        assert len(db.session.scalars(select(other)).all()) == 1
    with pytest.raises(TenancyError):
        db.session.scalars(select(other)).all()


def test_relationship_joins_are_filtered_not_refused(make):
    """Is a count over a join between two tenant tables scoped on both sides, not refused?"""
    from sqlalchemy import func

    from portal.memberships.models import Membership
    from portal.players.models import PlayerProfile

    guardian = make.user()
    leagues = [make.league(), make.league()]
    for league in leagues:
        kid = make.profile(league, guardian)
        plan = make.plan(league)
        with league_scope(league.id):
            db.session.add(Membership(profile_id=kid.id, plan_id=plan.id))
    db.session.commit()
    count = (
        select(func.count())
        .select_from(Membership)
        .join(Membership.profile)
        .where(PlayerProfile.guardian_id == guardian.id)
    )
    with league_scope(leagues[0].id):
        assert db.session.scalar(count) == 1
