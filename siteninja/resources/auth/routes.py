"""Authentication endpoints: /api/auth."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from siteninja.core.auth import (
    PUBLIC_SECURITY,
    USER_OR_KEY_SECURITY,
    USER_SECURITY,
    authenticated,
    bearer_token,
    require,
)
from siteninja.core.envelope import Blueprint
from siteninja.core.errors import Unauthorized
from siteninja.core.limits import client_address
from siteninja.resources.auth import service
from siteninja.resources.auth.schemas import (
    AcceptedSchema,
    EmailSchema,
    LoginSchema,
    LogoutSchema,
    MeSchema,
    RegisterSchema,
    ResetPasswordSchema,
    SessionSchema,
    TokenSchema,
    UserSchema,
)

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Authentication")


@blp.route("/register")
class Register(MethodView):
    @blp.doc(security=PUBLIC_SECURITY)
    @blp.arguments(RegisterSchema)
    @blp.response(201, SessionSchema)
    @blp.alt_response(409, response="Conflict", description="The email or the subdomain is taken")
    def post(self, data):
        """Create an account (optionally with a tenant you own) and sign in."""
        user, session = service.register(data=data)
        return {"user": user, **session}, {"Location": url_for("users.UserDetail", user_id=user.id)}


@blp.route("/login")
class Login(MethodView):
    @blp.doc(security=PUBLIC_SECURITY)
    @blp.arguments(LoginSchema)
    @blp.response(200, SessionSchema)
    @blp.alt_response(401, response="Unauthorized", description="Wrong email or password (the same for both)")
    def post(self, data):
        """Sign in with email and password."""
        user, session = service.login(email=data["email"], password=data["password"], client=client_address())
        return {"user": user, **session}


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.doc(security=USER_SECURITY)
    @blp.response(200, SessionSchema)
    def post(self):
        """Exchange the refresh token (Authorization: Bearer) for new tokens."""
        token = bearer_token()
        if token is None:
            raise Unauthorized("Send the refresh token as Authorization: Bearer <token>")
        user, session = service.refresh(token)
        return {"user": user, **session}


@blp.route("/logout")
class Logout(MethodView):
    @require(role="viewer")
    @blp.arguments(LogoutSchema, required=False)
    @blp.response(204)
    def post(self, data):
        """Revoke this access token and its refresh token at once."""
        service.logout(principal=authenticated(), refresh_token=(data or {}).get("refresh_token"))


@blp.route("/me")
class Me(MethodView):
    @blp.doc(security=USER_OR_KEY_SECURITY)
    @blp.response(200, MeSchema)
    def get(self):
        """Who am I: the signed-in user, or the API key in use."""
        return service.describe(authenticated())


@blp.route("/verify-email")
class VerifyEmail(MethodView):
    @blp.doc(security=PUBLIC_SECURITY)
    @blp.arguments(TokenSchema)
    @blp.response(200, UserSchema)
    def post(self, data):
        """Confirm an email address with the emailed token."""
        return service.verify_email(data["token"])


@blp.route("/resend-verification")
class ResendVerification(MethodView):
    @require(role="viewer")
    @blp.response(202, AcceptedSchema)
    def post(self):
        """Send the verification email again."""
        service.resend_verification(authenticated())
        return {"accepted": True}


@blp.route("/forgot-password")
class ForgotPassword(MethodView):
    @blp.doc(security=PUBLIC_SECURITY)
    @blp.arguments(EmailSchema)
    @blp.response(202, AcceptedSchema)
    def post(self, data):
        """Email a password-reset token if the account exists (always 202)."""
        service.forgot_password(email=data["email"], client=client_address())
        return {"accepted": True}


@blp.route("/reset-password")
class ResetPassword(MethodView):
    @blp.doc(security=PUBLIC_SECURITY)
    @blp.arguments(ResetPasswordSchema)
    @blp.response(200, UserSchema)
    def post(self, data):
        """Set a new password with the emailed token."""
        return service.reset_password(token=data["token"], password=data["password"])
