"""The league admin's services for a plan's agreement: versions, and the PDF kept only
while it is needed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.core.storage import get_storage
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships import admin_queries
from portal.memberships import admin_services as services
from portal.memberships.models import AgreementAcceptance, Plan
from portal.memberships.plan_rules import PlanData, PlanError, pdf_problem
from tests.images import pdf, png
from tests.memberships.admin_helpers import TODAY, fixed_data, fresh

# -- agreements: versions and PDFs ---------------------------------------------------------


def _accept(league, plan, profile, version):
    with unscoped():
        db.session.add(
            AgreementAcceptance(
                league_id=league.id,
                plan_id=plan.id,
                version=version,
                profile_id=profile.id,
                text_sha256="x" * 64,
            )
        )
        db.session.commit()


def test_changing_the_text_or_pdf_makes_a_new_version(league, program):
    """Does only a change of text or PDF bump the version (not the title, not CRLF)?"""
    with league_scope(league.id):
        plan = services.create_plan(
            program,
            fixed_data(agreement_title="Waiver", agreement_text="Line one\nLine two"),
            TODAY,
        )
        assert plan.agreement_version == 1
        data = PlanData.of(plan)
        same = services.update_plan(
            plan, replace(data, agreement_text="Line one\r\nLine two\r\n"), TODAY
        )
        retitled = services.update_plan(plan, replace(data, agreement_title="Release"), TODAY)
        assert not same.bumped and not retitled.bumped and plan.agreement_version == 1
        assert plan.agreement_text == "Line one\nLine two"
        reworded = services.update_plan(plan, replace(data, agreement_text="New terms"), TODAY)
        assert reworded.bumped and plan.agreement_version == 2
        with_pdf = services.update_plan(plan, PlanData.of(plan), TODAY, pdf=pdf())
        assert with_pdf.bumped and plan.agreement_version == 3
        again = services.update_plan(plan, PlanData.of(plan), TODAY, pdf=pdf())
        assert not again.bumped  # the very same file
        dropped = services.update_plan(plan, PlanData.of(plan), TODAY, remove_pdf=True)
        assert dropped.bumped and plan.agreement_version == 4 and plan.agreement_key is None


def test_an_agreement_removed_and_added_again_never_reuses_an_accepted_version(
    league, program, kid
):
    """Once version 2 was accepted, is the agreement added back later version 3, not 1?"""
    with league_scope(league.id):
        plan = services.create_plan(
            program, fixed_data(agreement_title="Waiver", agreement_text="v1"), TODAY
        )
        services.update_plan(plan, replace(PlanData.of(plan), agreement_text="v2"), TODAY)
        db.session.commit()
    _accept(league, plan, kid, 2)
    with league_scope(league.id):
        plan = fresh(Plan, plan.id)
        gone = replace(PlanData.of(plan), agreement_title="", agreement_text="")
        assert services.update_plan(plan, gone, TODAY).removed
        assert plan.agreement_version == 0 and not plan.has_agreement
        back = replace(gone, agreement_title="Waiver", agreement_text="v1")
        services.update_plan(plan, back, TODAY)
        assert plan.agreement_version == 3
        assert admin_queries.acceptance_counts(plan) == [(2, 1)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (png(), "Please choose a PDF file"),
        (b"%PDF-1.7\nnot really a pdf at all", "damaged or incomplete"),
        (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_a_bad_pdf_is_refused_and_nothing_is_stored(league, program, storage_root, data, message):
    """Is a file that is not a readable PDF of 10 MB or less refused, leaving storage empty?"""
    assert message in pdf_problem(data)
    with league_scope(league.id), pytest.raises(PlanError) as refused:
        services.create_plan(program, fixed_data(agreement_title="Waiver"), TODAY, pdf=data)
    assert message in refused.value.errors["agreement_pdf"]
    assert not (storage_root / f"leagues/{league.id}/agreements").exists()


def test_a_pdf_is_not_stored_while_another_field_is_wrong(league, program, storage_root):
    """With a good PDF but a bad price, is the whole plan refused and the PDF not kept?"""
    with league_scope(league.id), pytest.raises(PlanError):
        services.create_plan(
            program, fixed_data(agreement_title="W", price_minor=1), TODAY, pdf=pdf()
        )
    assert not (storage_root / f"leagues/{league.id}/agreements").exists()


def test_a_pdf_is_stored_under_the_league_and_gone_if_the_change_rolls_back(league, program):
    """Is the PDF stored under leagues/<id>/agreements/, and deleted again on rollback?"""
    with league_scope(league.id):
        plan = services.create_plan(program, fixed_data(agreement_title="W"), TODAY, pdf=pdf())
        key = plan.agreement_key
        assert key.startswith(f"leagues/{league.id}/agreements/plan-{plan.id}-")
        assert get_storage().exists(key)
        db.session.rollback()
    assert not get_storage().exists(key)


def test_a_replaced_pdf_is_kept_only_if_someone_accepted_it(league, program, kid):
    """Is an old PDF nobody accepted deleted, and one somebody accepted kept?"""
    storage = get_storage()
    with league_scope(league.id):
        plan = services.create_plan(program, fixed_data(agreement_title="W"), TODAY, pdf=pdf(1))
        db.session.commit()
        first = plan.agreement_key
        services.update_plan(plan, PlanData.of(plan), TODAY, pdf=pdf(2))
        db.session.commit()
        second = plan.agreement_key
    assert not storage.exists(first) and storage.exists(second)
    _accept(league, plan, kid, 2)
    with league_scope(league.id):
        plan = fresh(Plan, plan.id)
        services.update_plan(plan, PlanData.of(plan), TODAY, pdf=pdf(3))
        db.session.commit()
    assert storage.exists(second)
