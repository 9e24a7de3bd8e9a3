"""A player's card on the phone, its PDF, the "making your card" widget, and what
lets the card live on the phone's home screen and open without a connection
(a web manifest per card and a service worker whose scope covers the card pages).

The family (the guardian, or the player themself) and league staff who check
cards may open a card; anyone else gets "not found". League admins (who print
cards) may also download it for a print shop: with a bleed and crop marks.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from portal.cards import card_queries, services
from portal.cards.content import card_content, card_verdict, terms_of
from portal.cards.models import Card
from portal.cards.qr import qr_svg
from portal.core.db import utcnow
from portal.core.permissions import can, league_permission_required
from portal.core.storage import content_disposition, download_name, redirect_to_file
from portal.core.templating import asset, css_colour
from portal.core.tenancy import get_or_404
from portal.players.models import PlayerProfile
from portal.players.services import is_locked, today_in

bp = Blueprint("cards", __name__)


@bp.app_template_global("card_profile_ids")
def card_profile_ids(profile_ids) -> set[int]:
    """For player lists (My players, memberships): which players have a card to open."""
    return card_queries.profiles_with_cards(profile_ids)


def _profile(profile_id: int) -> PlayerProfile:
    """The player, for the family that manages them or league staff who check cards."""
    profile = get_or_404(PlayerProfile, profile_id)
    if profile.guardian_id != current_user.id and not can("check_cards"):
        abort(404)
    return profile


@bp.get("/players/<int:profile_id>/card")
@login_required
def mine(profile_id: int):
    profile = _profile(profile_id)
    card = services.current_card(profile.id)
    now = utcnow()
    failed = _failure(profile, card)
    face = _face(card, now, failed["failure"]) if card else {}
    progress = card_queries.pdf_progress(profile, card)
    body = render_template(
        "cards/mine.html",
        profile=profile,
        card=card,
        progress=progress,
        **failed,
        polls=0,
        rendered_at=now,
        **face,
    )
    return _private(make_response(body))


@bp.get("/players/<int:profile_id>/card/status")
@login_required
def making(profile_id: int):
    """The widget polls here every 2 s; 286 (htmx: stop polling) once there is nothing
    left to wait for. A card that appeared since the page was drawn reloads the page."""
    profile = _profile(profile_id)
    card = services.current_card(profile.id)
    polls = min(request.args.get("n", 0, type=int), card_queries.MAX_POLLS) + 1
    progress = card_queries.pdf_progress(profile, card, polls)
    body = render_template(
        "cards/_making.html",
        profile=profile,
        card=card,
        progress=progress,
        **_failure(profile, card),
        polls=polls,
    )
    response = make_response(body, 200 if progress.polling else 286)
    if card is not None and request.args.get("card") == "0":
        response.headers["HX-Refresh"] = "true"
    return _private(response)


@bp.get("/players/<int:profile_id>/card.pdf")
@login_required
def pdf(profile_id: int):
    profile = _profile(profile_id)
    card = services.current_card(profile.id)
    return redirect_to_file(
        card.pdf_key if card else None, filename=download_name(profile.full_name, "card")
    )


@bp.get("/players/<int:profile_id>/card-for-print-shop.pdf")
@league_permission_required("print_cards")
def print_shop_pdf(profile_id: int):
    """The card as a print shop wants it: 2 mm of bleed and crop marks round each side.
    Made on request from what the card shows today, and not kept (see
    services.print_shop_pdf)."""
    profile = get_or_404(PlayerProfile, profile_id)
    card = services.current_card(profile.id)
    if card is None:
        abort(404)
    try:
        pdf = services.print_shop_pdf(card)
    except services.MissingAsset as error:
        flash(f"The card cannot be printed: the {error.asset} is missing.", "error")
        return redirect(url_for(".mine", profile_id=profile.id), 303)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    name = download_name(profile.full_name, "card", "print shop")
    response.headers["Content-Disposition"] = content_disposition(name, "attachment")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/players/<int:profile_id>/card.webmanifest")
@login_required
def manifest(profile_id: int):
    """The web manifest that lets the family add one player's card to the home screen;
    it opens straight on the card."""
    profile = _profile(profile_id)
    page = url_for(".mine", profile_id=profile.id)
    league = g.league
    icons = [{"src": asset("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}]
    size = card_queries.logo_size(league)
    if size:
        logo = url_for("l.leagues.logo", v=league.logo_key[-20:-4])
        icons.insert(0, {"src": logo, "sizes": f"{size[0]}x{size[1]}", "type": "image/png"})
    body = {
        "id": page,
        "name": f"{profile.full_name} · {league.name}",
        "short_name": f"{profile.first_name}'s card"[:30],
        "description": f"{profile.full_name}'s player card for {league.name}",
        "start_url": page,
        "scope": url_for("l.players.index"),
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": css_colour(league.primary_color),
        "background_color": "#f3f4f6",
        "icons": icons,
    }
    response = current_app.response_class(json.dumps(body), mimetype="application/manifest+json")
    return _private(response)


@bp.get("/players/card-sw.js")
def service_worker():
    """The card's service worker, served under /l/<league>/players/ so that its scope
    covers the card pages (a script under /static/ could only control /static/)."""
    script = Path(current_app.static_folder, "js", "card-sw.js").read_bytes()
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for("l.players.index")
    response.add_etag()
    return response.make_conditional(request)


def _failure(profile: PlayerProfile, card: Card | None) -> dict:
    """Why the printable card could not be made (services.pdf_failure), and, for a
    missing photo, whether the family may upload one now or must ask the league to
    unlock the photo first."""
    failure = services.pdf_failure(card)
    return {
        "failure": failure,
        "photo_locked": failure == "photo_missing" and is_locked(profile),
    }


def _face(card: Card, now: datetime, failure: str | None = None) -> dict:
    """What the big card on the phone shows: the printed card's content, the verdict,
    the QR of the check page, the clock as drawn (card.js ticks it) and the colours.

    A photo the worker found missing from storage (`failure`, see
    services.pdf_failure) is not asked for: the card shows the initials instead."""
    league = card.profile.league
    today = today_in(league)
    local = now.astimezone(ZoneInfo(league.timezone))
    terms = terms_of(card.profile_id)  # read once for the content and the verdict
    content = card_content(card, today, terms)
    primary = css_colour(league.primary_color)
    return {
        "c": content,
        "outcome": card_verdict(card, today, terms),
        "qr": qr_svg(content["verify_url"], "pcard-qr-code", "QR code to check this card"),
        "photo_url": url_for("check.photo", token=card.token)
        if content["photo_key"] and failure != "photo_missing"
        else None,
        "logo_url": url_for("l.leagues.logo", v=league.logo_key[-20:-4])
        if league.logo_key
        else None,
        "head_ink": card_queries.ink_on(primary),
        "clock": (f"{local:%H:%M:%S}", f"{local:%a} {local.day} {local:%b}"),
    }


def _private(response):
    """A family's card: never kept by a shared cache; the service worker keeps its own copy."""
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
