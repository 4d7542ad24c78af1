"""Petition pages: the public listing and page, drafting, the committee, review by moderators."""

import functools

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from participation.auth.permissions import is_moderator
from participation.comments.targets import resolve_target
from participation.comments.views import thread_for_request
from participation.core import policy
from participation.core.forms import fill_translated, translated_data
from participation.core.i18n import current_language
from participation.core.limits import limited
from participation.core.models import utcnow
from participation.core.page_cache import LISTINGS, shared_page
from participation.core.routing import query_int
from participation.core.views import page_number, perform
from participation.extensions import db
from participation.institutions.models import Province, Region
from participation.institutions.queries import get_commune, list_regions
from participation.petitions import forms as f
from participation.petitions import permissions as perms
from participation.petitions import (
    processing,
    queries,
    receipts,
    services,
    signers,
    signing,
)
from participation.petitions.models import (
    PETITION_STATE_LABELS,
    PetitionKind,
    is_open_for_signatures,
)
from participation.petitions.page import PetitionFacts

bp = Blueprint("petitions", __name__, url_prefix="/<lang:lang_code>/petitions")


def _go(petition, endpoint="petitions.detail"):
    if endpoint == "petitions.detail":
        return redirect(
            url_for(
                endpoint, lang_code=current_language(), petition_id=petition.id, slug=petition.slug
            )
        )
    return redirect(url_for(endpoint, lang_code=current_language(), petition_id=petition.id))


def _load_visible(petition_id):
    petition = queries.get_petition(petition_id)
    if petition is None or not perms.can_view_petition(current_user, petition):
        abort(404)
    return petition


@bp.route("/")
@policy.public
@shared_page(LISTINGS)
def index():
    filters = queries.PetitionFilters(
        state=request.args.get("state"),
        kind_id=query_int("kind"),
        category=request.args.get("category"),
        addressee_id=query_int("addressee"),
        region_id=query_int("region"),
        q=request.args.get("q", "")[:200],
    )
    now = utcnow()
    pagination = queries.list_public_petitions(filters, page=page_number(), now=now)
    mine = queries.list_user_petitions(current_user) if current_user.is_authenticated else []
    signed = queries.list_signed_petitions(current_user) if current_user.is_authenticated else []
    return render_template(
        "petitions/index.html",
        pagination=pagination,
        filters=filters,
        kinds=queries.list_petition_kinds(active_only=True),
        addressee_options=[(str(i.id), i.display_name()) for i in queries.list_addressees()],
        region_options=[(str(r.id), r.display_name()) for r in list_regions()],
        state_labels=PETITION_STATE_LABELS,
        public_states=queries.PUBLIC_STATE_VALUES,
        mine=mine,
        signed=signed,
        badges=queries.list_badges([*pagination.items, *mine, *signed], now=now),
        can_start=perms.can_start_petition(current_user),
        review_queue=queries.list_petitions_awaiting_review() if is_moderator(current_user) else [],
    )


def _petition_form(petition=None):
    form = f.PetitionForm(kinds=queries.list_petition_kinds(active_only=True))
    if request.method == "GET" and petition is not None:
        for name in ("title", "demands", "memorandum"):
            fill_translated(form, name, getattr(petition, name))
        form.kind_id.data = petition.kind_id
        form.region_id.data = petition.region_id or 0
        form.province_id.data = petition.province_id or 0
        form.commune_id.data = petition.commune_id or 0
        form.show_places()
    return form


def _stepping():
    """A no-script step of the region → province → commune choice (templates/_places.html):
    the form comes back with the next list filled, nothing saved."""
    return request.method == "POST" and "step" in request.form


def _petition_input(form):
    kind = db.session.get(PetitionKind, form.kind_id.data) if form.kind_id.data else None
    data = services.PetitionData(
        title=translated_data(form, "title"),
        demands=translated_data(form, "demands"),
        memorandum=translated_data(form, "memorandum"),
        region=db.session.get(Region, form.region_id.data) if form.region_id.data else None,
        province=db.session.get(Province, form.province_id.data) if form.province_id.data else None,
        commune=get_commune(form.commune_id.data),
    )
    return kind, data


def _similar_to_draft(form):
    """Public petitions like the title being drafted: shown whenever the form comes back (the
    "check for similar petitions" step, another step, an error), as static/js/similar.js shows
    them while typing."""
    if request.method != "POST":
        return None
    return queries.list_similar_petitions(" ".join(translated_data(form, "title").values()))


@bp.route("/similar.json")
@policy.public
@limited("RATELIMIT_API", methods=("GET",))
def similar():
    """Public petitions whose words are like `q` (a title being drafted), for similar.js."""
    rows = queries.list_similar_petitions(request.args.get("q", "")[:300])
    badges = queries.list_badges(rows)
    results = []
    for petition in rows:
        title, title_lang = petition.text("title")
        results.append(
            {
                "title": title,
                "lang": title_lang,
                "url": url_for(
                    "petitions.detail",
                    lang_code=current_language(),
                    petition_id=petition.id,
                    slug=petition.slug,
                ),
                "status": str(badges[petition.id].state),
                "status_label": str(badges[petition.id].label),
            }
        )
    return jsonify(results)


@bp.route("/new", methods=["GET", "POST"])
@policy.requires(perms.can_start_petition)
def new():
    form = _petition_form()
    if not _stepping() and form.validate_on_submit():
        kind, data = _petition_input(form)
        if kind is None:
            form.kind_id.errors.append(_("Choose the kind of petition."))
        else:
            ok, petition = perform(
                lambda: services.create_petition(current_user, kind, data),
                error_field=form.kind_id,
                success=_("The draft is saved. Now invite the members of your committee."),
            )
            if ok:
                return _go(petition, "petitions.committee")
    similar_petitions = _similar_to_draft(form)
    return render_template(
        "petitions/form.html",
        form=form,
        petition=None,
        similar_petitions=similar_petitions,
        similar_badges=queries.list_badges(similar_petitions or []),
    ), 400 if form.errors else 200


@bp.route("/<int:petition_id>/edit", methods=["GET", "POST"])
@policy.authenticated
def edit(petition_id):
    petition = _load_visible(petition_id)
    policy.ensure(perms.can_edit_petition(current_user, petition))
    form = _petition_form(petition)
    if not _stepping() and form.validate_on_submit():
        kind, data = _petition_input(form)
        if kind is None:
            form.kind_id.errors.append(_("Choose the kind of petition."))
        else:
            ok, _result = perform(
                lambda: services.update_petition(current_user, petition, kind, data),
                error_field=form.kind_id,
                success=_("The draft is saved."),
            )
            if ok:
                return _go(petition, "petitions.committee")
    return render_template(
        "petitions/form.html", form=form, petition=petition
    ), 400 if form.errors else 200


@bp.route("/<int:petition_id>")
@bp.route("/<int:petition_id>-<slug>")
@policy.public
@shared_page(lambda petition_id, **_: f"petition:{petition_id}")
def detail(petition_id, slug=None):
    petition = _load_visible(petition_id)
    if slug != petition.slug:
        return redirect(
            url_for("petitions.detail", petition_id=petition.id, slug=petition.slug), 301
        )
    now = utcnow()
    target = resolve_target("petition", petition.id)
    signature = signing.get_signature(current_user, petition)
    # A new signature's receipt code, carried from the signing POST: shown and e-mailed once.
    receipt_code = receipts.carried_code(petition.id, signature)
    if receipt_code:
        perform(lambda: receipts.email_receipt(current_user, petition, receipt_code))
    page = render_template(
        "petitions/detail.html",
        receipt_code=receipt_code,
        petition=petition,
        # The same for every reader, read only inside the page's cached fragments.
        facts=PetitionFacts(petition, now),
        signature=signature,
        collecting=is_open_for_signatures(petition, now),
        signing_problem=perms.signing_refusal(current_user, petition, now=now)
        if petition.status == "open"
        else None,
        can_deposit=perms.can_deposit_petition(current_user, petition),
        now=now,
        can_edit=perms.can_edit_petition(current_user, petition),
        can_review=perms.can_review_petition(current_user, petition),
        can_withdraw=perms.can_withdraw_petition(current_user, petition),
        can_withdraw_signature=perms.can_withdraw_signature(current_user, petition),
        can_follow=perms.can_follow_petition(current_user, petition),
        following=processing.is_following(current_user, petition),
        is_addressee_officer=perms.is_addressee_officer(current_user, petition),
        # Forms only for a signed-in reader (anonymous: none is shown): making one puts a CSRF
        # token in the session, and the anonymous page is the same for everyone (shared_page).
        reason_form=f.ReasonForm() if current_user.is_authenticated else None,
        sign_form=f.SignForm() if current_user.is_authenticated else None,
        target=target,
        thread=thread_for_request(target)
        if target.is_visible_to(current_user) and petition.published_at
        else None,
    )
    if receipts.CODE_COOKIE not in request.cookies:
        return page
    response = make_response(page)
    receipts.forget_code(response)
    return response


@bp.route("/<int:petition_id>/committee", methods=["GET", "POST"])
@policy.authenticated
def committee(petition_id):
    petition = _load_visible(petition_id)
    policy.ensure(perms.is_committee_member(current_user, petition))
    invite_form = f.InviteForm(prefix="invite")
    roles_form = f.RolesForm(prefix="roles", members=petition.members)
    action = request.form.get("action")
    if request.method == "POST":
        policy.ensure(perms.can_edit_petition(current_user, petition))
        if action == "invite" and invite_form.validate_on_submit():
            ok, _member = perform(
                lambda: services.invite_member(
                    current_user,
                    petition,
                    email=invite_form.email.data,
                    language=current_language(),
                ),
                error_field=invite_form.email,
                success=_("The invitation is sent."),
            )
            if ok:
                return _go(petition, "petitions.committee")
        elif action == "roles" and roles_form.validate_on_submit():
            members = {m.id: m for m in petition.members}
            ok, _result = perform(
                lambda: services.name_agent_and_deputy(
                    current_user,
                    petition,
                    agent=members.get(roles_form.agent_id.data),
                    deputy=members.get(roles_form.deputy_id.data),
                ),
                error_field=roles_form.agent_id,
                success=_("The agent and the deputy are named."),
            )
            if ok:
                return _go(petition, "petitions.committee")
        elif action == "submit" and f.ReasonForm().validate_on_submit():

            def show_problems(refused):
                for problem in refused.problems:
                    flash(str(problem), "error")

            ok, _result = perform(
                lambda: services.submit_petition(current_user, petition),
                refusal=services.SubmissionRefused,
                on_refusal=show_problems,
                success=_("The petition is submitted. A moderator will check its admissibility."),
            )
            if ok:
                return _go(petition)
    else:
        roles_form.agent_id.data = petition.agent.id if petition.agent else 0
        roles_form.deputy_id.data = petition.deputy.id if petition.deputy else 0
    return render_template(
        "petitions/committee.html",
        petition=petition,
        invite_form=invite_form,
        roles_form=roles_form,
        action_form=f.ReasonForm(),
        problems=services.list_committee_problems(petition),
        can_edit=perms.can_edit_petition(current_user, petition),
    ), 400 if (invite_form.errors or roles_form.errors) else 200


@bp.route("/<int:petition_id>/committee/<int:member_id>/remove", methods=["POST"])
@policy.authenticated
def remove_member(petition_id, member_id):
    petition = _load_visible(petition_id)
    policy.ensure(perms.can_edit_petition(current_user, petition))
    member = next((m for m in petition.members if m.id == member_id), None) or abort(404)
    if f.ReasonForm().validate_on_submit():
        perform(
            lambda: services.remove_member(current_user, member),
            success=_("The member is removed from the committee."),
        )
    return _go(petition, "petitions.committee")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@policy.authenticated
def invitation(token):
    """GET shows the invitation; only the POST accepts it (mail scanners open links)."""
    member = services.get_invitation(token)
    if member is None:
        abort(404)
    form = f.ReasonForm()
    allowed = perms.can_accept_invitation(current_user, member)
    if request.method == "POST" and form.validate_on_submit():
        ok, _result = perform(
            lambda: services.accept_invitation(current_user, member),
            success=_("You joined the committee."),
        )
        if ok:
            return _go(member.petition, "petitions.committee")
    return render_template(
        "petitions/invitation.html",
        member=member,
        petition=member.petition,
        form=form,
        allowed=allowed,
    ), 200 if allowed else 403


@bp.route("/<int:petition_id>/review", methods=["GET", "POST"])
@policy.authenticated
def review(petition_id):
    petition = _load_visible(petition_id)
    policy.ensure(perms.can_review_petition(current_user, petition))
    form = f.ReviewForm(kind=petition.kind)
    if form.validate_on_submit():
        decision = form.decision.data
        if decision == "publish":
            call = functools.partial(
                services.publish_petition, current_user, petition, checked=form.checked.data or []
            )
            message, field = _("The petition is published and open for signatures."), form.checked
        elif decision == "return":
            call = functools.partial(
                services.return_petition, current_user, petition, note=form.note.data
            )
            message, field = _("The petition is returned to its committee."), form.note
        else:
            call = functools.partial(
                services.reject_petition,
                current_user,
                petition,
                ground=form.ground.data,
                explanation=form.explanation.data,
            )
            message, field = (
                _("The petition is rejected; the explanation is public."),
                form.explanation,
            )
        ok, _result = perform(call, error_field=field, success=message)
        if ok:
            return _go(petition)
    return render_template(
        "petitions/review.html",
        petition=petition,
        form=form,
        committee_problems=services.list_committee_problems(petition),
    ), 400 if form.errors else 200


@bp.route("/<int:petition_id>/withdraw", methods=["POST"])
@policy.authenticated
def withdraw(petition_id):
    petition = _load_visible(petition_id)
    policy.ensure(perms.can_withdraw_petition(current_user, petition))
    form = f.ReasonForm()
    if form.validate_on_submit():
        perform(
            lambda: services.withdraw_petition(current_user, petition, reason=form.reason.data),
            success=_("The petition is withdrawn."),
        )
    return _go(petition)


@bp.route("/<int:petition_id>/follow", methods=["POST"])
@policy.authenticated
def follow(petition_id):
    petition = _load_visible(petition_id)
    if f.ReasonForm().validate_on_submit():
        if request.form.get("stop"):
            perform(
                lambda: processing.unfollow_petition(current_user, petition),
                success=_("You no longer follow this petition."),
            )
        else:
            perform(
                lambda: processing.follow_petition(current_user, petition),
                success=_(
                    "You follow this petition: you will get an e-mail at each step of its processing."
                ),
            )
    return _go(petition)


@bp.route("/<int:petition_id>/sign", methods=["POST"])
@limited("RATELIMIT_SIGN")
@policy.signed_in_session
def sign(petition_id):
    # The hot path of a viral petition (SPEC §9): the signer and the petition come from one Core
    # query, not from Flask-Login's ORM user and an ORM petition; the same rules then apply.
    with signing.signing_connection() as connection:
        signer, petition = signers.load_signer_and_petition(
            session.get("_user_id"), petition_id, connection
        )
        if signer is None:  # a rotated session token or a deleted account: as if signed out
            return policy.login_redirect()
        if policy.second_factor_missing(signer):  # the staff gate, on the record read anyway
            return policy.second_factor_required()
        if petition is None:
            abort(404)
        if not queries.is_public(petition):
            _load_visible(
                petition_id
            )  # a draft or one under review: 404 unless its committee or a moderator
        back = _go(petition)
        consent = f.consent_given(request.form)
        if not consent:
            flash(
                _(
                    "Tick the box to confirm that you support this petition and consent to the use of your data."
                ),
                "error",
            )
            return back
        ok, signature = perform(
            lambda: signing.sign_petition(
                signer, petition, consent=consent, ip=request.remote_addr, connection=connection
            )
        )
    if ok:
        receipts.remember_code(back, petition.id, signature.code)
        # No flash message: the page's signature panel says whether the signature is counted or
        # held for a check, and keeps saying it; not rewriting the session cookie on every
        # signature spares the busiest request about 15 % of its instructions (docs/benchmarks.md).
        back.location += "#your-signature"
    return back


@bp.route("/<int:petition_id>/unsign", methods=["POST"])
@policy.authenticated
def unsign(petition_id):
    petition = _load_visible(petition_id)
    policy.ensure(perms.can_withdraw_signature(current_user, petition))
    if f.ReasonForm().validate_on_submit():
        perform(
            lambda: signing.withdraw_signature(current_user, petition),
            success=_("Your signature is withdrawn."),
        )
    return _go(petition)


@bp.route("/<int:petition_id>/deposit", methods=["POST"])
@policy.authenticated
def deposit(petition_id):
    petition = _load_visible(petition_id)
    policy.ensure(perms.can_deposit_petition(current_user, petition))
    if f.ReasonForm().validate_on_submit():
        perform(
            lambda: services.deposit_petition(current_user, petition),
            success=_("The petition is deposited with the addressee institution."),
        )
    return _go(petition)
