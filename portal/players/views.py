"""Player side: a guardian's players in a league, the profile form, uploads.

Files reach a profile in two steps. uploads.js posts each file on its own to
`upload` (a progress bar on a slow phone, and a form error never costs the
upload), which stages it and answers the upload widget holding its token;
the form then names the upload by that token. Without JavaScript the file
comes with the form and is staged in the same request. Either way the
services adopt it when the profile is saved.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user, login_required

from portal.core.forms import add_error
from portal.core.htmx import is_fragment_request, render
from portal.core.images import PHOTO_MAX_BYTES, Crop, ImageError, crop_box
from portal.core.permissions import can
from portal.core.storage import redirect_to_file
from portal.core.tenancy import get_or_404
from portal.extensions import db, limiter
from portal.players import filters, forms, queries, rules, services, uploads
from portal.players.models import PlayerProfile, ProfileStatus, StagedUpload, UploadKind
from portal.players.services import FIELD_LABELS, ProfileError

bp = Blueprint("players", __name__, url_prefix="/players")
filters.register(bp)

KINDS = {"photo": UploadKind.PHOTO, "document": UploadKind.DOCUMENT}
GONE = "We no longer have that {noun} (uploads are kept for a day). Please choose it again."
NOT_KEPT = "That file was not kept, so please choose the {noun} again."
# Where each checklist item is on the form, so "Missing" links straight to it.
FORM_ANCHORS = {
    "gender": "gender-0",
    "phone": "phone",
    "address": "address",
    "emergency_contact": "emergency_name",
    "photo": "photo-upload",
    "document": "document-upload",
}


def load_profile(profile_id: int) -> PlayerProfile:
    """The profile, if it is the user's own or the user reviews this league's profiles."""
    profile = get_or_404(PlayerProfile, profile_id)
    if profile.guardian_id != current_user.id and not can("review_profiles"):
        abort(404)
    return profile


def load_own_profile(profile_id: int) -> PlayerProfile:
    """The profile, only if the user manages it: staff look and decide, families edit."""
    profile = get_or_404(PlayerProfile, profile_id)
    if profile.guardian_id != current_user.id:
        abort(404)
    return profile


def _user():
    """The signed-in User itself (services keep it; the proxy must not leak into them)."""
    return current_user._get_current_object()


@bp.get("/")
@login_required
def index():
    """The account's players here, each with its status at a glance."""
    groups = queries.age_groups()
    rows = [
        (profile, _age_group(profile, groups)) for profile in queries.profiles_of(current_user.id)
    ]
    return render("players/index.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = forms.ProfileForm(g.league)
    if not form.is_submitted():
        return _form_page(form)
    profile = _save(form)
    if profile is None:
        return _form_page(form, status=422)
    flash(f"{profile.first_name} is added. Check the list below, then submit.", "success")
    return redirect(url_for(".show", profile_id=profile.id), 303)


@bp.get("/<int:profile_id>")
@login_required
def show(profile_id: int):
    return _profile_page(load_profile(profile_id))


@bp.route("/<int:profile_id>/edit", methods=["GET", "POST"])
@login_required
def edit(profile_id: int):
    profile = load_own_profile(profile_id)
    form = forms.ProfileForm.for_profile(g.league, profile)
    if not form.is_submitted():
        return _form_page(form, profile)
    if _save(form, profile) is None:
        return _form_page(form, profile, status=422)
    flash(f"{profile.first_name}'s details are saved.", "success")
    return redirect(url_for(".show", profile_id=profile.id), 303)


@bp.post("/<int:profile_id>/submit")
@login_required
def submit(profile_id: int):
    """Send the profile for review; htmx gets the refreshed profile, a form post a 303."""
    profile = load_own_profile(profile_id)
    try:
        status = services.submit(profile, _user())
    except ProfileError as error:
        db.session.rollback()
        flash(str(error), "error")
        code = 422
    else:
        db.session.commit()
        flash(_submitted_message(profile, status), "success")
        code = 200
    if is_fragment_request():
        return _profile_page(profile, status=code)
    return redirect(url_for(".show", profile_id=profile.id), 303)


@bp.post("/uploads/<kind>")
@login_required
@limiter.limit("60 per 10 minutes", key_func=lambda: f"upload:{current_user.get_id()}")
def upload(kind: str):
    """Stage one file (uploads.js posts it alone) and answer the widget holding it."""
    if kind not in KINDS:
        abort(404)
    posted = request.files.get("file")
    try:
        if not posted or not posted.filename:
            raise ImageError(f"Choose a {kind} to upload.")
        staged = uploads.stage(_user(), KINDS[kind], posted.read(), posted.filename)
    except ImageError as error:
        db.session.rollback()
        return render("players/_upload.html", w=_widget(kind, error=str(error)), status=422)
    db.session.commit()
    return render("players/_upload.html", w=_widget(kind, upload=staged))


@bp.get("/uploads/<token>/preview")
@login_required
def upload_preview(token: str):
    """The uploader's own staged photo, or the preview image of their staged document."""
    user = _user()
    staged = uploads.find(token, user, UploadKind.PHOTO) or uploads.find(
        token, user, UploadKind.DOCUMENT
    )
    if staged is None:
        abort(404)
    return redirect_to_file(staged.preview_key or staged.key)


@bp.get("/<int:profile_id>/photo")
@login_required
def photo(profile_id: int):
    """The card photo (or `?size=thumb`), through a short-lived storage link."""
    profile = load_profile(profile_id)
    key = profile.photo_thumb_key if request.args.get("size") == "thumb" else profile.photo_key
    if not key:
        abort(404)
    return redirect_to_file(key)


# -- saving the form -----------------------------------------------------------


def _save(form: forms.ProfileForm, profile: PlayerProfile | None = None):
    """Stage the form's files, then create or update the profile.

    Returns the profile, or None when the form must be shown again. Files
    staged here are committed even then, so the re-shown form still has them.
    """
    valid = form.validate()
    photo = _staged(form, "photo")
    document = _staged(form, "document")
    if not valid or form.photo.errors or form.document.errors:
        db.session.commit()
        return None
    crop = Crop.parse(form.crop_x.data, form.crop_y.data, form.crop_w.data)
    files = {"photo": photo, "crop": crop, "document": document}
    try:
        if profile is None:
            profile = services.create_profile(g.league, _user(), form.profile_data(), **files)
        else:
            services.update_profile(profile, _user(), form.profile_data(), **files)
    except (ProfileError, ImageError) as error:
        db.session.rollback()
        _drop_fresh_uploads(form)
        add_error(form, error.field if isinstance(error, ProfileError) else "photo", str(error))
        return None
    db.session.commit()
    return profile


def _staged(form: forms.ProfileForm, kind: str) -> StagedUpload | None:
    """The upload the form brings: a file posted with it (staged now) or a token."""
    file_field, token_field = form[kind], form[f"{kind}_upload"]
    posted = file_field.data
    if posted is not None and getattr(posted, "filename", ""):
        try:
            staged = uploads.stage(_user(), KINDS[kind], posted.read(), posted.filename)
        except ImageError as error:
            file_field.errors.append(str(error))
            form.refused.add(kind)
        else:
            token_field.data = staged.token
            form.fresh.add(kind)
            if kind == "photo":  # a new photo starts from the default crop
                form.crop_x.data = form.crop_y.data = form.crop_w.data = ""
            return staged
    if not token_field.data:
        return None
    staged = uploads.find(token_field.data, _user(), KINDS[kind])
    if staged is None:
        token_field.data = ""
        file_field.errors.append(GONE.format(noun=kind))
    return staged


def _drop_fresh_uploads(form: forms.ProfileForm) -> None:
    """Files posted with a form that then failed went with the rollback: say so."""
    for kind in form.fresh:
        form[f"{kind}_upload"].data = ""
        form.refused.add(kind)
    form.fresh.clear()


# -- pages -----------------------------------------------------------------------


def _form_page(form: forms.ProfileForm, profile: PlayerProfile | None = None, status=200):
    """The profile form, new or edit; locked fields show read-only with the reason."""
    locked = profile is not None and services.is_locked(profile)
    widgets = {kind: _form_widget(form, kind, profile) for kind in KINDS}
    return render(
        "players/form.html",
        form=form,
        profile=profile,
        locked=locked,
        widgets=widgets,
        lock_message=services.LOCKED_MESSAGE,
        status=status,
    )


def _form_widget(form: forms.ProfileForm, kind: str, profile: PlayerProfile | None) -> dict:
    """The widget as the form left it: its staged upload (if still ours), crop and errors."""
    token = form[f"{kind}_upload"].data
    staged = uploads.find(token, _user(), KINDS[kind]) if token else None
    crop = (form.crop_x.data, form.crop_y.data, form.crop_w.data) if kind == "photo" else None
    return _widget(
        kind,
        upload=staged,
        crop=crop if crop and Crop.parse(*crop) else None,
        error=" ".join(form[kind].errors) or None,
        refused=kind in form.refused,
        profile=profile,
    )


def _widget(
    kind: str,
    *,
    upload: StagedUpload | None = None,
    crop: tuple[str, str, str] | None = None,
    error: str | None = None,
    refused: bool = False,
    profile: PlayerProfile | None = None,
) -> dict:
    """What templates/players/_upload.html shows for one kind of file."""
    if upload is not None and kind == "photo" and crop is None:
        crop = _default_crop(upload)
    return {
        "kind": kind,
        "upload": upload,
        "crop": crop,
        "error": error,
        "not_kept": NOT_KEPT.format(noun=kind) if refused else None,
        "optional": kind not in forms.required_for_submission(g.league),
        "profile": profile,
        "max_bytes": PHOTO_MAX_BYTES,
    }


def _default_crop(upload: StagedUpload) -> tuple[str, str, str]:
    """The server's default 4:5 crop as fractions, where the crop box starts."""
    width, height = upload.width or 1, upload.height or 1
    left, top, right, _ = crop_box(width, height, None)
    return tuple(f"{value:.4f}" for value in (left / width, top / height, (right - left) / width))


def _profile_page(profile: PlayerProfile, status: int = 200):
    """The profile page (or, for htmx, its #profile fragment): status and next step first.

    The checklist shows only while the player can still act (draft, changes
    requested, or verified but open for renewal); otherwise there is nothing to do.
    """
    league = profile.league
    age = rules.league_age(profile.date_of_birth, league)
    locked = services.is_locked(profile)
    missing = {name for name, _ in services.missing_for_submission(profile)}
    open_for_changes = profile.status in (ProfileStatus.DRAFT, ProfileStatus.CHANGES_REQUESTED) or (
        profile.status == ProfileStatus.VERIFIED and not locked
    )
    own = profile.guardian_id == current_user.id
    open_for_changes = open_for_changes and own  # staff decide; only the family edits
    checklist = [("name", "Name and date of birth", True, None)] + [
        (name, FIELD_LABELS[name], name not in missing, FORM_ANCHORS[name])
        for name in forms.required_for_submission(league)
    ]
    return render(
        "players/show.html",
        "players/_profile.html",
        profile=profile,
        age=age,
        cutoff=rules.cutoff_date(
            league.season_year, league.age_cutoff_month, league.age_cutoff_day
        ),
        group=_age_group(profile, queries.age_groups()),
        locked=locked,
        lock_message=services.LOCKED_MESSAGE,
        checklist=checklist if open_for_changes else [],
        can_submit=open_for_changes and not missing,
        staff=can("review_profiles"),
        own=own,
        first_missing=next((anchor for _, _, done, anchor in checklist if not done), None),
        status=status,
    )


def _age_group(profile: PlayerProfile, groups):
    """The league's group for the player's age on the league's cutoff date (or None)."""
    return rules.age_group_for(rules.league_age(profile.date_of_birth, profile.league), groups)


def _submitted_message(profile: PlayerProfile, status: ProfileStatus) -> str:
    if status == ProfileStatus.VERIFIED:
        return f"{profile.first_name}'s profile is verified again. Nothing else to do."
    return (
        f"Thank you! {profile.first_name}'s profile is sent for review. "
        "We'll email you when the registrar has checked it."
    )
