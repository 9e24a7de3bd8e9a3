"""The register page when something cannot be bought: the order summary matches what
can (a refused choice is set apart, never priced, and Continue waits for a real one),
each agreement is asked for once, and "nothing is open" says why."""

from __future__ import annotations

import re
from datetime import date

from tests.memberships.admin_helpers import member
from tests.payments.conftest import place


def _checked(page: str, name: str) -> str | None:
    for tag in re.findall(rf'<input type="radio" name="{name}"[^>]*>', page):
        if " checked" in tag:
            return re.search(r'value="([^"]+)"', tag).group(1)
    return None


def _summary(page: str) -> str:
    return page.split('id="order-summary"', 1)[1].split("</section>", 1)[0]


def _pay_button(page: str) -> str:
    (button,) = re.findall(r'<button type="submit" class="button[^"]*button-pay"[^>]*>', page)
    return button


def test_an_agreement_is_asked_for_once_per_plan(client, login, make, league, parent, kids):
    """Two children on a plan with an agreement, the box not ticked: is the family asked
    once (one box covers both), not once per child?"""
    travel = make.plan(
        league,
        "Travel team",
        agreement_title="Code of conduct",
        agreement_text="Be kind.",
        agreement_version=1,
    )
    login(parent)
    form = {f"plan-{kid.id}": str(travel.id) for kid in kids}
    response = client.post("/l/riverside/register", data={**form, "nonce": "x"})
    assert response.status_code == 422
    assert response.text.count("Please accept “Code of conduct” for Travel team.") == 1


def test_a_plan_that_filled_meanwhile_leaves_the_order(client, login, make, league, parent, kids):
    """Mia's plan filled while her parent was choosing: after the refusal, is her line
    out of the total (said why), her choice back to "Not this time", and Continue off?"""
    small = make.plan(league, "Small squad", capacity=1)
    other = make.user()
    place(league, other, [make.ready_profile(league, other, "Zed")], small)  # the last place
    login(parent)
    response = client.post(
        "/l/riverside/register", data={f"plan-{kids[0].id}": str(small.id), "nonce": "x"}
    )
    assert response.status_code == 422
    page = response.text
    assert "Mia, Small squad: This plan is full." in page  # the refusal, at the top
    summary = _summary(page)
    assert "Mia Kim" in summary and "This plan is full." in summary and "Not added" in summary
    assert "Total" not in summary and "Nothing to pay for yet" in summary
    assert _checked(page, f"plan-{kids[0].id}") == "none"
    assert "disabled" in _pay_button(page)


def test_a_refused_line_beside_one_that_can_be_paid(
    client, login, make, league, parent, kids, plan
):
    """Leo's plan can still be paid, Mia's filled: is only Leo's in the total, with
    Continue on?"""
    small = make.plan(league, "Small squad", capacity=1)
    other = make.user()
    place(league, other, [make.ready_profile(league, other, "Zed")], small)
    login(parent)
    form = {f"plan-{kids[0].id}": str(small.id), f"plan-{kids[1].id}": str(plan.id)}
    page = client.post("/l/riverside/register", data={**form, "nonce": "x"}).text
    summary = _summary(page)
    assert "Not added" in summary and "$120.00" in summary and "Total" in summary
    assert "disabled" not in _pay_button(page) and "1 player" in page


def test_the_live_summary_sets_a_refused_choice_apart(client, login, make, league, parent, kids):
    """Does the summary drawn on each change price only what can be bought?"""
    small = make.plan(league, "Small squad", capacity=1, price_minor=5000)
    other = make.user()
    place(league, other, [make.ready_profile(league, other, "Zed")], small)
    login(parent)
    text = client.post(
        "/l/riverside/register/summary",
        data={f"plan-{kids[0].id}": str(small.id)},
        headers={"HX-Request": "true"},
    ).text
    assert "This plan is full." in text and "$50.00" not in text
    assert "Nothing to pay for yet" in text and "disabled" in _pay_button(text)


def test_a_link_to_a_season_already_paid_is_not_offered(client, login, league, parent, kids, plan):
    """A link preselecting a season Mia is registered for already (a "Renew" link on a
    fixed season): does the page say why, rather than price it with Continue on?"""
    member(league, plan, kids[0])
    login(parent)
    page = client.get(f"/l/riverside/register?plan-{kids[0].id}={plan.id}").text
    summary = _summary(page)
    assert "Mia is already registered for this season." in summary and "Not added" in summary
    assert _checked(page, f"plan-{kids[0].id}") == "none"
    assert "disabled" in _pay_button(page)


def test_nothing_open_says_why_without_a_profile_link(
    client, login, make, league, parent, kids, plan
):
    """Registered for one plan, another full, a third for adults: does the card say so
    briefly, with no link to a profile that has nothing missing?"""
    member(league, plan, kids[0])
    small = make.plan(league, "Small squad", capacity=1)
    other = make.user()
    place(league, other, [make.ready_profile(league, other, "Zed")], small)
    make.plan(league, "Adults", born_to=date(2000, 1, 1))
    login(parent)
    page = client.get("/l/riverside/register").text
    assert (
        "Nothing is open to Mia right now: already registered for 1 plan, "
        "1 plan full and 1 plan for other ages." in page
    )
    assert f'href="/l/riverside/players/{kids[0].id}"' not in page


def test_a_field_a_plan_asks_for_sends_them_to_the_profile(
    client, login, make, league, parent, kids
):
    """Is the profile offered when what is missing is a field the plan asks for?"""
    make.plan(league, "Travel", required_fields=["address"])
    login(parent)
    page = client.get("/l/riverside/register").text
    assert "Mia&#39;s profile needs: address." in page
    assert "Nothing is open to Mia right now: profile details missing." in page
    assert "Finish Mia's profile" in page and f'href="/l/riverside/players/{kids[0].id}"' in page


def test_no_agreement_is_asked_for_a_plan_that_cannot_be_bought(
    client, login, make, league, parent, kids
):
    """The plan filled: is the parent told so, without being asked to accept its
    agreement too (ticking it would change nothing)?"""
    camp = make.plan(
        league,
        "Camp",
        capacity=1,
        agreement_title="Waiver",
        agreement_text="Be kind.",
        agreement_version=1,
    )
    other = make.user()
    member(league, camp, make.ready_profile(league, other, "Zed"))  # the one place
    login(parent)
    response = client.post(
        "/l/riverside/register", data={f"plan-{kids[0].id}": str(camp.id), "nonce": "x"}
    )
    assert response.status_code == 422 and "Mia, Camp: This plan is full." in response.text
    assert "Please accept" not in response.text
