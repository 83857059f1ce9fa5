"""User endpoints: /api/users."""

from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView

from siteninja.core.auth import authenticated, require
from siteninja.core.envelope import Blueprint
from siteninja.resources.users import service
from siteninja.resources.users.schemas import (
    PasswordChangeSchema,
    UserCreateSchema,
    UserQueryArgsSchema,
    UserSchema,
    UserUpdateSchema,
)

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users and roles")


@blp.route("")
class UserList(MethodView):
    @require(role="admin")
    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, UserSchema(many=True))
    def get(self, args):
        """List users (super_admin: all; owner/admin: their tenant's)."""
        return service.list_users(principal=authenticated(), **args)

    @require(role="admin")
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, response="Conflict", description="The email is taken")
    def post(self, data):
        """Create a user with a role up to your own."""
        user = service.create_user(principal=authenticated(), data=data)
        return user, {"Location": url_for("users.UserDetail", user_id=user.id)}


class UserView(MethodView):
    """Base for ``/api/users/<user_id>…``: the target must be manageable by the caller (404/403 first)."""

    def dispatch_request(self, **kwargs):
        service.get_user(kwargs["user_id"], principal=authenticated())
        return super().dispatch_request(**kwargs)


@blp.route("/<uuid:user_id>")
class UserDetail(UserView):
    @require(role="viewer")
    @blp.response(200, UserSchema)
    def get(self, user_id: uuid.UUID):
        """Get a user (self, or owner/admin of the same tenant)."""
        return service.get_user(user_id, principal=authenticated())

    @require(role="viewer")
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(409, response="Conflict", description="The email is taken")
    def put(self, data, user_id: uuid.UUID):
        """Update a user's name, email or role."""
        user = service.get_user(user_id, principal=authenticated())
        return service.update_user(user, principal=authenticated(), data=data)

    patch = put

    @require(role="viewer")
    @blp.response(204)
    def delete(self, user_id: uuid.UUID):
        """Soft-delete a user; their tokens stop working."""
        service.delete_user(service.get_user(user_id, principal=authenticated()))


@blp.route("/<uuid:user_id>/password")
class UserPassword(UserView):
    @require(role="viewer")
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, UserSchema)
    def put(self, data, user_id: uuid.UUID):
        """Change your own password; your other sessions are signed out."""
        user = service.get_user(user_id, principal=authenticated())
        return service.change_password(
            user, principal=authenticated(), current=data["current_password"], new=data["new_password"]
        )
