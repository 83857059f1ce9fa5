"""User schemas: read, create, update, password change and list arguments."""

from __future__ import annotations

from marshmallow import fields, validate

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, Timestamp, text
from siteninja.resources.users.models import ROLES


class UserSchema(ObjectSchema):
    email = fields.String()
    name = fields.String()
    role = fields.String()
    tenant_id = fields.UUID(allow_none=True)
    email_verified = fields.Boolean()
    last_login = Timestamp(allow_none=True)


def email_field(**kwargs) -> fields.Email:
    """An email address of at most 254 characters."""
    return fields.Email(validate=validate.Length(max=254), **kwargs)


def password_field(**kwargs) -> fields.String:
    """A password as typed (the policy is checked by the passwords service)."""
    return fields.String(validate=validate.Length(max=128), load_only=True, **kwargs)


class UserCreateSchema(BaseSchema):
    email = email_field(required=True)
    password = password_field(required=True)
    name = text(200, min_length=1, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    tenant_id = fields.UUID()


class UserUpdateSchema(BaseSchema):
    email = email_field()
    name = text(200, min_length=1)
    role = fields.String(validate=validate.OneOf(ROLES))


class PasswordChangeSchema(BaseSchema):
    current_password = password_field(required=True)
    new_password = password_field(required=True)


class UserQueryArgsSchema(ListArgsSchema):
    tenant_id = fields.UUID()
    role = fields.String(validate=validate.OneOf(ROLES))
    q = text(200)
    sort = sort_field("createdAt", "email", "name", default="createdAt")
