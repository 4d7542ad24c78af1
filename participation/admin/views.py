import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation.admin import permissions as admin_perms
from participation.admin import services as admin_services
from participation.admin.forms import (
    GrantRoleForm,
    InstitutionForm,
    PopulationForm,
    RevokeForm,
    SwitchForm,
)
from participation.auth import permissions as auth_perms
from participation.auth import services as auth_services
from participation.auth.models import ROLE_LABELS, Role, RoleGrant, User
from participation.core import policy
from participation.core.audit import list_audit_entries
from participation.core.i18n import current_language
from participation.core.switches import SWITCH_LABELS, list_switches
from participation.core.errors import DomainError
from participation.core.forms import fill_translated, translated_data
from participation.core.views import page_number, perform
from participation.extensions import db
from participation.institutions import permissions as inst_perms
from participation.institutions import services as inst_services
from participation.institutions.models import Institution, Province, Region
from participation.institutions.queries import get_commune, list_institutions, list_regions
from participation.petitions import permissions as petition_perms
from participation.petitions import services as petition_services
from participation.petitions.brackets import format_brackets, parse_brackets
from participation.petitions.forms import kind_form_class
from participation.petitions.models import STAGE_LABELS, PetitionKind
from participation.petitions.queries import list_petition_kinds
from participation.petitions.thresholds import required_signatures

bp = Blueprint("admin", __name__, url_prefix="/<lang:lang_code>/admin")


def _go(endpoint, **values):
    return redirect(url_for(endpoint, lang_code=current_language(), **values))


@bp.route("/")
@policy.requires(auth_perms.is_administrator)
def index():
    return render_template("admin/index.html")


@bp.route("/users")
@policy.requires(auth_perms.can_manage_users)
def users():
    search = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") if request.args.get("role") in {r.value for r in Role} else None
    pagination = auth_services.list_users(search=search, role=role, page=page_number())
    return render_template(
        "admin/users.html", pagination=pagination, search=search, role=role, role_labels=ROLE_LABELS
    )


@bp.route("/users/<int:user_id>")
@policy.requires(auth_perms.can_manage_users)
def user_detail(user_id):
    user = db.get_or_404(User, user_id)
    return _render_user(user, GrantRoleForm(institutions=list_institutions()))


def _render_user(user, form, status=200):
    history = db.session.scalars(
        sa.select(RoleGrant)
        .where(RoleGrant.user_id == user.id)
        .order_by(RoleGrant.granted_at.desc())
    ).all()
    return (
        render_template(
            "admin/user_detail.html",
            user=user,
            form=form,
            history=history,
            revoke_form=RevokeForm(),
            role_labels=ROLE_LABELS,
        ),
        status,
    )


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@policy.requires(auth_perms.can_manage_users)
def grant_role(user_id):
    user = db.get_or_404(User, user_id)
    policy.ensure(auth_perms.can_grant_role(current_user, user))
    form = GrantRoleForm(institutions=list_institutions())
    if form.validate_on_submit():
        institution = (
            db.session.get(Institution, form.institution_id.data)
            if form.institution_id.data
            else None
        )
        ok, _grant = perform(
            lambda: auth_services.grant_role(
                current_user, user, form.role.data, institution=institution
            ),
            error_field=form.role,
            success=_("The role is granted."),
        )
        if ok:
            return _go("admin.user_detail", user_id=user.id)
    return _render_user(user, form, 400)


@bp.route("/users/<int:user_id>/roles/<int:grant_id>/revoke", methods=["POST"])
@policy.requires(auth_perms.can_manage_users)
def revoke_role(user_id, grant_id):
    grant = db.get_or_404(RoleGrant, grant_id)
    if grant.user_id != user_id:
        abort(404)
    policy.ensure(auth_perms.can_revoke_role(current_user, grant))
    if RevokeForm().validate_on_submit():
        perform(
            lambda: auth_services.revoke_role(current_user, grant),
            success=_("The role is revoked."),
        )
    return _go("admin.user_detail", user_id=user_id)


@bp.route("/institutions")
@policy.requires(inst_perms.can_manage_institutions)
def institutions():
    return render_template(
        "admin/institutions.html", institutions=list_institutions(include_inactive=True)
    )


def _institution_form(institution=None):
    return InstitutionForm(obj=institution)


def _save_institution(form, institution):
    region = db.session.get(Region, form.region_id.data) if form.region_id.data else None
    province = db.session.get(Province, form.province_id.data) if form.province_id.data else None
    fields = dict(
        kind=form.kind.data,
        names=form.names(),
        acronym=form.acronym.data,
        website=form.website.data,
        region=region,
        province=province,
        population=form.population.data,
        has_arrondissements=form.has_arrondissements.data,
        commune=get_commune(form.commune_id.data),
    )
    if institution is None:
        return inst_services.create_institution(current_user, **fields)
    return inst_services.update_institution(
        current_user, institution, active=form.active.data, **fields
    )


@bp.route("/institutions/new", methods=["GET", "POST"])
@policy.requires(inst_perms.can_manage_institutions)
def new_institution():
    return _edit_institution(None)


@bp.route("/institutions/<int:institution_id>", methods=["GET", "POST"])
@policy.requires(inst_perms.can_manage_institutions)
def edit_institution(institution_id):
    return _edit_institution(db.get_or_404(Institution, institution_id))


def _edit_institution(institution):
    form = _institution_form(institution)
    if request.method == "GET" and institution is not None:
        for lang in ("ar", "fr", "zgh"):
            getattr(form, f"name_{lang}").data = institution.name.get(lang, "")
        form.region_id.data = institution.region_id or 0
        form.province_id.data = institution.province_id or 0
        form.commune_id.data = institution.commune_id or 0
        form.show_places()
    # A no-script step of the region → province → commune choice shows the form again.
    stepping = request.method == "POST" and "step" in request.form
    if not stepping and form.validate_on_submit():
        ok, saved = perform(
            lambda: _save_institution(form, institution),
            error_field=form.kind,
            success=_("The institution is saved."),
        )
        if ok:
            return _go("admin.edit_institution", institution_id=saved.id)
    status = 400 if form.errors else 200
    return render_template(
        "admin/institution_form.html", form=form, institution=institution
    ), status


@bp.route("/territories")
@policy.requires(inst_perms.can_edit_population)
def territories():
    return render_template("admin/territories.html", regions=list_regions())


@bp.route("/territories/<kind>/<int:territory_id>", methods=["GET", "POST"])
@policy.requires(inst_perms.can_edit_population)
def edit_population(kind, territory_id):
    model = {"region": Region, "province": Province}.get(kind) or abort(404)
    territory = db.get_or_404(model, territory_id)
    form = PopulationForm(obj=territory)
    if request.method == "GET":
        form.year.data = territory.population_year
    if form.validate_on_submit():
        ok, _result = perform(
            lambda: inst_services.set_population(
                current_user, territory, population=form.population.data, year=form.year.data
            ),
            error_field=form.population,
            success=_("The population is saved."),
        )
        if ok:
            return _go("admin.territories")
    status = 400 if form.errors else 200
    return render_template(
        "admin/population_form.html", form=form, territory=territory, kind=kind
    ), status


@bp.route("/audit")
@policy.requires(auth_perms.can_view_audit_log)
def audit_log():
    return render_template("admin/audit.html", entries=list_audit_entries(limit=200))


@bp.route("/petition-kinds")
@policy.requires(petition_perms.can_manage_petition_kinds)
def petition_kinds():
    return render_template(
        "admin/petition_kinds.html", kinds=list_petition_kinds(), thresholds=required_signatures
    )


@bp.route("/petition-kinds/<int:kind_id>", methods=["GET", "POST"])
@policy.requires(petition_perms.can_manage_petition_kinds)
def edit_petition_kind(kind_id):
    kind = db.get_or_404(PetitionKind, kind_id)
    form = kind_form_class(kind)(institutions=list_institutions())
    if request.method == "GET":
        _fill_kind_form(form, kind)
    if form.validate_on_submit():
        try:
            data = _kind_data(form, kind)
        except DomainError as error:
            form.brackets.errors.append(str(error.message))
        else:
            ok, _result = perform(
                lambda: petition_services.update_petition_kind(current_user, kind, data),
                error_field=form.signatures_required,
                success=_("The kind is saved."),
            )
            if ok:
                return _go("admin.petition_kinds")
    status = 400 if form.errors else 200
    return render_template(
        "admin/petition_kind_form.html", form=form, kind=kind, stage_labels=STAGE_LABELS
    ), status


def _fill_kind_form(form, kind):
    fill_translated(form, "name", kind.name)
    fill_translated(form, "addressee", kind.addressee)
    fill_translated(form, "note", kind.note or {})
    form.institution_id.data = kind.institution_id or 0
    form.signatures_required.data = kind.signatures_required
    form.brackets.data = format_brackets(kind.signatures_by_population)
    form.signatures_with_arrondissements.data = kind.signatures_with_arrondissements
    form.per_province_share.data = (
        round(kind.per_province_min_share * 100, 1) if kind.per_province_min_share else None
    )
    for name in (
        "min_committee_members",
        "min_committee_regions",
        "signing_window_days",
        "rejection_notice_months",
        "legal_status",
        "active",
    ):
        getattr(form, name).data = getattr(kind, name)
    for key, days in kind.deadlines_days.items():
        getattr(form, f"deadline_{key}").data = days
    for ground in kind.grounds:
        fill_translated(form, f"ground_{ground['code']}", ground["label"])


def _kind_data(form, kind):
    return petition_services.KindData(
        name=translated_data(form, "name"),
        addressee=translated_data(form, "addressee"),
        institution=db.session.get(Institution, form.institution_id.data)
        if form.institution_id.data
        else None,
        signatures_required=form.signatures_required.data,
        signatures_by_population=parse_brackets(form.brackets.data),
        signatures_with_arrondissements=form.signatures_with_arrondissements.data,
        per_province_min_share=float(form.per_province_share.data) / 100
        if form.per_province_share.data
        else None,
        min_committee_members=form.min_committee_members.data,
        min_committee_regions=form.min_committee_regions.data,
        signing_window_days=form.signing_window_days.data,
        rejection_notice_months=form.rejection_notice_months.data,
        deadlines_days={key: getattr(form, f"deadline_{key}").data for key in kind.deadlines_days},
        ground_labels={
            g["code"]: translated_data(form, f"ground_{g['code']}") for g in kind.grounds
        },
        legal_status=form.legal_status.data,
        note=translated_data(form, "note"),
        active=form.active.data,
    )


@bp.route("/switches", methods=["GET", "POST"])
@policy.requires(admin_perms.can_set_switches)
def switches():
    forms = {switch.key: SwitchForm(prefix=switch.key) for switch in list_switches()}
    if request.method == "POST":
        key = request.form.get("key")
        form = forms.get(key) or abort(400)
        if form.validate_on_submit():
            ok, _switch = perform(
                lambda: admin_services.set_switch(
                    current_user,
                    key,
                    enabled=form.enabled.data,
                    message=translated_data(form, "message"),
                ),
                success=_("The switch is saved."),
            )
            if ok:
                return _go("admin.switches")
    else:
        for switch in list_switches():
            forms[switch.key].enabled.data = switch.enabled
            fill_translated(forms[switch.key], "message", switch.message)
    return render_template("admin/switches.html", forms=forms, labels=SWITCH_LABELS), 400 if any(
        f.errors for f in forms.values()
    ) else 200
