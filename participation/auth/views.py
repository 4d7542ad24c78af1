from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from participation.auth import services, throttle
from participation.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    DisableTwoFactorForm,
    ConfirmForm,
    DeleteAccountForm,
    EmailForm,
    IdentityForm,
    LoginForm,
    NewPasswordForm,
    PasswordAgainForm,
    ProfileForm,
    RecoveryCodeForm,
    RegisterForm,
)
from participation.auth.identity import IdentitySubmission
from participation.auth.models import TokenPurpose
from participation.auth.qr import qr_svg, svg_data_uri
from participation.auth.tokens import TokenError, inspect_token
from participation.core import policy, totp
from participation.core.i18n import current_language
from participation.core.limits import limited
from participation.core.timezones import morocco_date
from participation.core.views import perform, safe_next

bp = Blueprint("auth", __name__, url_prefix="/<lang:lang_code>/account")
# The app's code and a recovery code share one limit per address: two pages, no extra tries.
CODE_STEP_SCOPE = "auth.second-factor-code"


def _to_profile():
    return redirect(url_for("auth.profile", lang_code=current_language()))


@bp.route("/register", methods=["GET", "POST"])
@limited("RATELIMIT_REGISTER")
@policy.anonymous_only
def register():
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        ok, _user = perform(
            lambda: services.register_user(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                language=form.language.data,
            ),
            error_field=form.password,
        )
        if ok:
            return render_template("auth/check_email.html", email=form.email.data.strip().lower())
    return render_template("auth/register.html", form=form)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limited("RATELIMIT_VERIFY")
@policy.public
def verify_email(token):
    """GET only shows a button: mail scanners that open links must not consume the token."""
    form = ConfirmForm()
    try:
        inspect_token(token, TokenPurpose.VERIFY_EMAIL)
    except TokenError as error:
        return _token_problem(error, "verify")
    if form.validate_on_submit():
        ok, problem_page = perform(
            lambda: services.confirm_email(token=token),
            refusal=TokenError,
            on_refusal=lambda error: _token_problem(error, "verify"),
            success=_("Your e-mail address is confirmed. You can now sign in."),
        )
        if not ok:
            return problem_page
        if current_user.is_authenticated:
            return _to_profile()
        return redirect(url_for("auth.login", lang_code=current_language()))
    return render_template("auth/verify_email.html", form=form)


def _token_problem(error, purpose):
    return render_template(
        "auth/token_problem.html", error=error, resend_form=EmailForm(), purpose=purpose
    ), 400


@bp.route("/verify/resend", methods=["GET", "POST"])
@limited("RATELIMIT_REGISTER")
@policy.public
def resend_verification():
    form = EmailForm()
    if form.validate_on_submit():
        perform(lambda: services.resend_verification(email=form.email.data))
        return render_template("auth/check_email.html", email=form.email.data.strip().lower())
    return render_template("auth/resend_verification.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limited("RATELIMIT_LOGIN_ADDRESS")
@limited("RATELIMIT_LOGIN", key=throttle.account_address_key)
@policy.anonymous_only
def login():
    """See auth/throttle.py for the limits and the per-account backoff."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data

        def check_password():
            user = services.authenticate(email=email, password=form.password.data)
            if user is None:
                throttle.record_failed_password(email)
            return user, throttle.under_backoff(email) and not throttle.device_trusted(email)

        # Only a complete sign-in keeps what the password check wrote (the sign-in time).
        _kept, (user, held_back) = perform(
            check_password,
            keep=lambda checked: (
                checked[0] is not None and not checked[1] and not checked[0].totp_enabled
            ),
        )
        if held_back:
            account = user or services.get_user_by_email(email)
            if account is not None and account.totp_enabled:
                return _ask_for_code(account, refuse_codes=user is None)
            form.password.errors.append(
                _(
                    "Many wrong passwords were tried for this account. For a while, it can be signed in to only from a browser already used with it. Elsewhere, choose a new password with the link below."
                )
            )
        elif user is None:
            form.password.errors.append(_("The e-mail address or the password is not correct."))
        elif user.totp_enabled:
            return _ask_for_code(user)
        else:
            return _signed_in(user)
    return render_template("auth/login.html", form=form)


def _ask_for_code(user, *, refuse_codes=False):
    """The password step is done; the session only remembers that, briefly, until the code."""
    session["two_factor"] = throttle.new_pending_sign_in(
        user, request.args.get("next"), refuse_codes=refuse_codes
    )
    return redirect(url_for("auth.login_code", lang_code=current_language()))


def _signed_in(user, target=None):
    login_user(user)
    if not user.email_verified:
        flash(_("Please confirm your e-mail address with the link we sent you."), "warning")
    return throttle.trust_device(safe_next("auth.profile", target=target), user.email)


@bp.route("/login/code", methods=["GET", "POST"])
@limited("RATELIMIT_TWO_FACTOR", scope=CODE_STEP_SCOPE)
@policy.anonymous_only
def login_code():
    return _second_factor_step(
        CodeForm(),
        "auth/login_code.html",
        check=services.check_second_factor,
        wrong=_("This code is not right. Check the time on your phone and try the newest code."),
    )


@bp.route("/login/recovery", methods=["GET", "POST"])
@limited("RATELIMIT_TWO_FACTOR", scope=CODE_STEP_SCOPE)
@policy.anonymous_only
def login_recovery():
    """A recovery code instead of the app's code: the same pending sign-in, the same count of
    attempts (switching pages gives no extra tries), the same limits."""
    return _second_factor_step(
        RecoveryCodeForm(),
        "auth/login_recovery.html",
        check=services.use_recovery_code,
        wrong=_("This recovery code is not right, or it was already used."),
    )


def _second_factor_step(form, template, *, check, wrong):
    """The code step of a sign-in whose password step is done (see _ask_for_code)."""
    pending = session.get("two_factor") or {}
    user = throttle.pending_user(pending)
    if user is None:
        session.pop("two_factor", None)
        flash(_("Sign in again: the time to give the code has run out."), "warning")
        return redirect(url_for("auth.login", lang_code=current_language()))
    if form.validate_on_submit():
        may_go_on = throttle.count_code_attempt(pending)
        passed, _result = perform(
            lambda: not throttle.codes_refused(pending) and check(user, code=form.code.data),
            keep=bool,
        )
        if passed:
            throttle.void_pending(pending)
            session.pop("two_factor", None)
            return _signed_in(user, pending.get("next"))
        if not may_go_on:
            session.pop("two_factor", None)
            flash(_("Too many wrong codes. Sign in again with your password."), "warning")
            return redirect(url_for("auth.login", lang_code=current_language()))
        form.code.errors.append(wrong)
    return render_template(template, form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@policy.authenticated
def two_factor():
    """Turn two-factor authentication on (start, then confirm a code) or off."""
    user = current_user
    confirm_form, disable_form = CodeForm(prefix="confirm"), DisableTwoFactorForm(prefix="disable")
    action = request.form.get("action")
    if request.method == "POST":
        if action == "start" and ConfirmForm().validate_on_submit():
            perform(lambda: services.start_two_factor_setup(user, user))
            return redirect(url_for("auth.two_factor", lang_code=current_language()))
        if action == "confirm" and confirm_form.validate_on_submit():
            ok, codes = perform(
                lambda: services.confirm_two_factor(user, user, code=confirm_form.code.data),
                error_field=confirm_form.code,
                success=_(
                    "Two-factor authentication is on. You will be asked for a code when you sign in."
                ),
            )
            if ok:
                return _show_recovery_codes(codes)
        if action == "disable" and disable_form.validate_on_submit():
            ok, _result = perform(
                lambda: services.disable_two_factor(
                    user, user, password=disable_form.password.data, code=disable_form.code.data
                ),
                error_field=disable_form.code,
                success=_("Two-factor authentication is off."),
            )
            if ok:
                login_user(user)  # the session token rotated: keep this session signed in
                return _to_profile()
    secret = services.get_pending_two_factor_secret(user)
    uri = (
        totp.provisioning_uri(secret, user.email, current_app.config["TOTP_ISSUER"])
        if secret
        else None
    )
    return render_template(
        "auth/two_factor.html",
        secret=secret,
        grouped_secret=totp.grouped(secret) if secret else None,
        uri=uri,
        qr_code=svg_data_uri(qr_svg(uri)) if uri else None,
        codes_left=services.count_recovery_codes_left(user) if user.totp_enabled else None,
        start_form=ConfirmForm(),
        confirm_form=confirm_form,
        disable_form=disable_form,
    ), 400 if (confirm_form.errors or disable_form.errors) else 200


def _show_recovery_codes(codes):
    """The codes, once: they are not kept anywhere they could be read again (the session cookie
    is readable by whoever holds it), so this answer is the only place they appear."""
    return render_template("auth/recovery_codes_made.html", codes=codes)


@bp.route("/two-factor/recovery-codes", methods=["GET", "POST"])
@limited("RATELIMIT_TWO_FACTOR")
@policy.authenticated
def recovery_codes():
    """How many recovery codes are left, and a new set (the password again) that voids the old."""
    user = current_user
    if not user.totp_enabled:
        return redirect(url_for("auth.two_factor", lang_code=current_language()))
    form = PasswordAgainForm()
    if form.validate_on_submit():
        ok, codes = perform(
            lambda: services.replace_recovery_codes(user, user, password=form.password.data),
            error_field=form.password,
            success=_("You have new recovery codes. The old ones no longer work."),
        )
        if ok:
            return _show_recovery_codes(codes)
    return render_template(
        "auth/recovery_codes.html", form=form, codes_left=services.count_recovery_codes_left(user)
    ), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@policy.authenticated
def logout():
    perform(lambda: services.end_sessions(current_user, current_user))
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.home", lang_code=current_language()))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limited("RATELIMIT_PASSWORD_RESET")
@policy.public
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        perform(lambda: services.request_password_reset(email=form.email.data))
        return render_template(
            "auth/check_email.html", email=form.email.data.strip().lower(), reset=True
        )
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limited("RATELIMIT_PASSWORD_RESET")
@policy.public
def reset_password(token):
    form = NewPasswordForm()
    try:
        form.account_email = inspect_token(token, TokenPurpose.RESET_PASSWORD).user.email
    except TokenError as error:
        return _token_problem(error, "reset")
    if form.validate_on_submit():
        ok, problem_page = perform(
            lambda: services.reset_password(token=token, new_password=form.password.data),
            refusal=TokenError,
            on_refusal=lambda error: _token_problem(error, "reset"),
        )
        if not ok:
            return problem_page
        logout_user()
        flash(_("Your password is changed. Sign in with the new password."), "success")
        # The link proved the mailbox: this browser may sign in even while the account is under backoff.
        return throttle.trust_device(
            redirect(url_for("auth.login", lang_code=current_language())), form.account_email
        )
    return render_template("auth/reset_password.html", form=form)


@bp.route("/", methods=["GET", "POST"])
@policy.authenticated
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        perform(
            lambda: services.update_profile(
                current_user,
                current_user,
                display_name=form.display_name.data,
                language=form.language.data,
            ),
            success=_("Your profile is saved."),
        )
        return _to_profile()
    return _profile_page(form, ChangePasswordForm(prefix="pw"))


def _profile_page(form, password_form):
    user = current_user
    return render_template(
        "auth/profile.html",
        form=form,
        password_form=password_form,
        codes_left=services.count_recovery_codes_left(user) if user.totp_enabled else None,
    )


@bp.route("/password", methods=["POST"])
@policy.authenticated
def change_password():
    password_form = ChangePasswordForm(prefix="pw", account_email=current_user.email)
    if password_form.validate_on_submit():
        ok, _result = perform(
            lambda: services.change_password(
                current_user,
                current_user,
                current_password=password_form.current_password.data,
                new_password=password_form.password.data,
            ),
            error_field=password_form.current_password,
            success=_("Your password is changed."),
        )
        if ok:
            login_user(current_user)  # the session token rotated: keep this session signed in
            return _to_profile()
    return _profile_page(ProfileForm(obj=current_user), password_form), 400


@bp.route("/identity", methods=["GET", "POST"])
@limited("RATELIMIT_IDENTITY")
@limited("RATELIMIT_IDENTITY", key=lambda: f"identity-account:{getattr(current_user, 'id', '')}")
@policy.authenticated
def identity():
    profile = current_user.identity
    form = IdentityForm()
    if request.method == "GET" and profile is not None:
        for name in (
            "first_name",
            "last_name",
            "cin_expiry",
            "birth_date",
            "address",
            "abroad",
            "country",
        ):
            getattr(form, name).data = getattr(profile, name)
        form.region_id.data = profile.region_id or 0
        form.province_id.data = profile.province_id or 0
        form.commune_id.data = profile.commune_id or 0
        form.show_places()
    if form.validate_on_submit():
        submission = IdentitySubmission(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            cin=form.cin.data,
            cin_expiry=form.cin_expiry.data,
            birth_date=form.birth_date.data,
            address=form.address.data,
            abroad=form.abroad.data,
            country=(form.country.data or "").strip().upper() or None,
            region_id=form.region_id.data or None,
            province_id=form.province_id.data or None,
            commune_id=form.commune_id.data or None,
            declaration=form.declaration.data,
        )

        def show_problems(rejected):
            for field, message in rejected.problems:
                getattr(form, field).errors.append(str(message))

        ok, _profile = perform(
            lambda: services.save_identity_profile(
                current_user, current_user, submission, today=morocco_date()
            ),
            refusal=services.IdentityRejected,
            on_refusal=show_problems,
            success=_("Your identity details are saved."),
        )
        if ok:
            return redirect(url_for("auth.identity", lang_code=current_language()))
    return render_template("auth/identity.html", form=form, profile=profile)


@bp.route("/identity/places", methods=["POST"])
@policy.authenticated
def identity_places():
    """The no-script step of the region → province → commune choice: the form again, as typed,
    with the next list filled. Nothing is checked or saved (so the identity rate limit, there
    against CIN probing, is not spent)."""
    form = IdentityForm()
    return render_template("auth/identity.html", form=form, profile=current_user.identity)


@bp.route("/data.json")
@policy.authenticated
def download_data():
    data = services.export_personal_data(current_user, current_user)
    response = jsonify(data)
    response.headers["Content-Disposition"] = "attachment; filename=my-participation-data.json"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@policy.authenticated
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        ok, _result = perform(
            lambda: services.delete_account(
                current_user, current_user, password=form.password.data
            ),
            error_field=form.password,
            success=_("Your account is deleted. Thank you for taking part."),
        )
        if ok:
            logout_user()
            return redirect(url_for("public.home", lang_code=current_language()))
    return render_template("auth/delete_account.html", form=form)
