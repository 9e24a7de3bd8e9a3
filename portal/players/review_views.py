"""Registrar side: the review queue, decisions, bulk approval, documents and photos.

Every route needs the league's "review_profiles" permission, and another
league's profile is "not found". A decision is one request that answers with
the next profile's fragment, so a registrar clears a queue of 200 without a
page load; without JavaScript the same forms post and redirect to the queue.

Files are never linked directly from a page: the page points at a route here,
which checks the permission and redirects to a link that expires in minutes,
so a cached page never carries a usable link to a passport.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user

from portal.core.htmx import hx_redirect, is_fragment_request, render
from portal.core.permissions import league_permission_required
from portal.core.storage import redirect_to_file
from portal.core.tenancy import MAX_ID, get_or_404
from portal.extensions import db
from portal.players import queries, reviews, rules
from portal.players.models import PlayerProfile, ProfileStatus
from portal.players.services import FIELD_LABELS, ProfileError

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.app_template_global()
def review_waiting_count() -> int:
    """For the Review tab's badge (the base template asks only staff who review)."""
    return queries.waiting_count()


HISTORY_SHOWN = 8
# The list's status filter: URL value -> status (None: every status).
LIST_FILTERS: dict[str, ProfileStatus | None] = {
    "submitted": ProfileStatus.SUBMITTED,
    "changes_requested": ProfileStatus.CHANGES_REQUESTED,
    "verified": ProfileStatus.VERIFIED,
    "draft": ProfileStatus.DRAFT,
    "all": None,
}
FILTER_LABELS = {
    "submitted": "Waiting",
    "changes_requested": "Changes requested",
    "verified": "Verified",
    "draft": "Draft",
    "all": "All",
}


def _registrar():
    """The signed-in user as a model object (services store its id and name)."""
    return current_user._get_current_object()


# -- the review screen ------------------------------------------------------------


def _day(value: str | None) -> str:
    """An ISO date from the history or the snapshot, as people write it."""
    if not value:
        return "(none)"
    day = date.fromisoformat(value)
    return f"{day.day} {day:%b %Y}"


def _changes(profile: PlayerProfile) -> list[tuple[str, str, str | None, str | None]]:
    """What changed since the last verification, ready to show: [(field, label, was, now)]."""
    shown = []
    for field, was, now in reviews.changes_since_verification(profile):
        if field == "date_of_birth":
            was, now = _day(was), _day(now)
        shown.append((field, FIELD_LABELS[field], was, now))
    return shown


def _screen(profile: PlayerProfile | None) -> dict:
    """Everything the review screen shows about one profile (None: the queue is empty)."""
    if profile is None:
        return {"profile": None, "total": 0, "position": 0, "prev_id": None, "next_id": None}
    prev_id, next_id, position, total = queries.queue_neighbours(profile.id)
    league = g.league
    age = rules.league_age(profile.date_of_birth, league)
    groups = queries.age_groups()
    return {
        "profile": profile,
        "prev_id": prev_id,
        "next_id": next_id,
        "position": position,
        "total": total,
        "age": age,
        "age_on": rules.cutoff_date(
            league.season_year, league.age_cutoff_month, league.age_cutoff_day
        ),
        "age_group": rules.age_group_for(age, groups),
        "has_groups": bool(groups),
        "changes": _changes(profile),
        "history": list(reversed(profile.events))[:HISTORY_SHOWN],
        "history_total": len(profile.events),
        "reasons": reviews.COMMON_REASONS,
        "field_labels": FIELD_LABELS,
        "tz": ZoneInfo(league.timezone),
        "day": _day,
    }


def _show(profile: PlayerProfile | None, status: int = 200, **form):
    """The review screen: the whole page, or the item fragment for htmx."""
    return render(
        "review/queue.html", "review/_item.html", status=status, **_screen(profile), **form
    )


def _next(profile_id: int):
    """Answer a decision: htmx gets the profile that now stands where this one stood;
    a plain form post goes back to the queue."""
    if not is_fragment_request():
        return redirect(url_for(".queue"), 303)
    next_id = queries.queue_neighbours(profile_id)[1]
    response = _show(get_or_404(PlayerProfile, next_id) if next_id else None)
    response.headers["HX-Replace-Url"] = (
        url_for(".item", profile_id=next_id) if next_id else url_for(".queue")
    )
    return response


def _moved_on(profile: PlayerProfile):
    """Someone else decided first (or the player withdrew): say so, show the next one."""
    flash(
        f"{profile.full_name} is no longer waiting for review "
        f"(now {profile.status.label.lower()}). Here is the next profile.",
        "info",
    )
    return _next(profile.id)


@bp.get("/")
@league_permission_required("review_profiles")
def queue():
    """The oldest submission first: the registrar works from the top."""
    waiting = queries.review_queue()
    return _show(waiting[0] if waiting else None)


@bp.get("/<int:profile_id>")
@league_permission_required("review_profiles")
def item(profile_id: int):
    """One profile on the review screen, whatever its status (linked from its page)."""
    return _show(get_or_404(PlayerProfile, profile_id))


@bp.post("/<int:profile_id>/approve")
@league_permission_required("review_profiles")
def approve(profile_id: int):
    """Verify the profile and answer with the next one: one request per decision."""
    profile = get_or_404(PlayerProfile, profile_id)
    name = profile.full_name
    try:
        reviews.approve(profile, _registrar())
    except ProfileError:
        return _moved_on(profile)
    db.session.commit()
    flash(f"Approved {name}", "success")
    return _next(profile_id)


@bp.post("/<int:profile_id>/request-changes")
@league_permission_required("review_profiles")
def request_changes(profile_id: int):
    """A common reason, typed words, or both (the typed words add detail to the reason)."""
    profile = get_or_404(PlayerProfile, profile_id)
    chosen = request.form.get("reason", "").strip()
    details = request.form.get("details", "").strip()
    reason = " ".join(part for part in (chosen, details) if part)
    name = profile.full_name
    try:
        reviews.request_changes(profile, _registrar(), reason)
    except ProfileError as error:
        if profile.status != ProfileStatus.SUBMITTED:
            return _moved_on(profile)
        return _show(profile, status=422, reason_error=str(error), chosen=chosen, details=details)
    db.session.commit()
    flash(f"Changes requested for {name}", "success")
    return _next(profile_id)


@bp.post("/<int:profile_id>/unlock")
@league_permission_required("review_profiles")
def unlock(profile_id: int):
    """Let the player correct name, date of birth or photo; a change goes back to review."""
    profile = get_or_404(PlayerProfile, profile_id)
    first_name = profile.first_name
    try:
        reviews.unlock(profile, _registrar())
    except ProfileError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            f"{first_name}'s name, date of birth and photo are unlocked. "
            "If they change, the profile comes back for review.",
            "success",
        )
    return hx_redirect(url_for("l.players.show", profile_id=profile_id))


# -- files: short-lived links ---------------------------------------------------------


@bp.get("/<int:profile_id>/document")
@league_permission_required("review_profiles")
def document(profile_id: int):
    """The original proof of age (PDF or image): staff only, never the player."""
    return redirect_to_file(get_or_404(PlayerProfile, profile_id).document_key)


@bp.get("/<int:profile_id>/document/preview")
@league_permission_required("review_profiles")
def document_preview(profile_id: int):
    """A JPEG of the document (the first page of a PDF), shown beside the photo."""
    return redirect_to_file(get_or_404(PlayerProfile, profile_id).document_preview_key)


@bp.get("/<int:profile_id>/photo")
@league_permission_required("review_profiles")
def photo(profile_id: int):
    """The current photo, or the verified one it replaces (kept until this review)."""
    profile = get_or_404(PlayerProfile, profile_id)
    which, size = request.args.get("which", "current"), request.args.get("size", "card")
    if which not in ("current", "previous") or size not in ("card", "thumb"):
        abort(404)
    if which == "current":
        key = profile.photo_key if size == "card" else profile.photo_thumb_key
    elif any(field == "photo" for field, _, _ in reviews.changes_since_verification(profile)):
        snapshot = profile.verified_snapshot or {}
        key = snapshot.get("photo") if size == "card" else snapshot.get("photo_thumb_key")
    else:
        key = None
    return redirect_to_file(key)


# -- the list and bulk approval ----------------------------------------------------------


def _list_filter(values) -> tuple[str, str]:
    """The list's status and search from a query string or form; unknown status: waiting."""
    status_key = values.get("status", "submitted")
    if status_key not in LIST_FILTERS:
        status_key = "submitted"
    return status_key, values.get("q", "").strip()[:80]


def _list(status_key: str, q: str):
    """The compact list: a fixed handful of queries however many profiles it shows."""
    groups = queries.age_groups()
    rows = [
        (profile, rules.age_group_for(rules.league_age(profile.date_of_birth, g.league), groups))
        for profile in queries.profiles_by_status(LIST_FILTERS[status_key], q)
    ]
    counts = queries.status_counts()
    tabs = [
        (key, FILTER_LABELS[key], counts.get(status, 0) if status else sum(counts.values()))
        for key, status in LIST_FILTERS.items()
    ]
    return render(
        "review/list.html",
        "review/_list.html",
        rows=rows,
        tabs=tabs,
        waiting=counts.get(ProfileStatus.SUBMITTED, 0),
        has_groups=bool(groups),
        status_key=status_key,
        q=q,
    )


@bp.get("/list", endpoint="list")
@league_permission_required("review_profiles")
def list_profiles():
    """Every profile by status and name, to find one or approve many at once."""
    return _list(*_list_filter(request.args))


@bp.post("/bulk-approve")
@league_permission_required("review_profiles")
def bulk_approve():
    """Approve the ticked profiles that are still waiting; others are left as they are."""
    ids = sorted({i for i in request.form.getlist("ids", type=int) if 0 < i <= MAX_ID})
    status_key, q = _list_filter(request.form)
    if not ids:
        flash("Tick the profiles to approve first.", "info")
    else:
        count = reviews.bulk_approve(ids, _registrar())
        db.session.commit()
        message = f"Approved {count} profile{'' if count == 1 else 's'}"
        if count < len(ids):
            others = len(ids) - count
            message += f"; {others} {'was' if others == 1 else 'were'} not waiting"
        flash(message, "success")
    if is_fragment_request():
        return _list(status_key, q)
    return redirect(url_for(".list", status=status_key, q=q or None), 303)
