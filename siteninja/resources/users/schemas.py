"""User schemas: read, create, update, password change and list arguments."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, Timestamp, text
from siteninja.resources.users.models import ROLES
from siteninja.services.passwords import MAX_LENGTH, policy_errors


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


def validate_password_policy(password: str) -> None:
    """The password policy as a field validator, so a 422 lists it with every other failing field."""
    problems = policy_errors(password)
    if problems:
        raise ValidationError("Password " + ", ".join(problems))


def password_field(*, policy: bool = True, **kwargs) -> fields.String:
    """A password as typed. ``policy=False`` where the service checks it (with rules that need the
    database, to report them together) or where an existing password is being verified."""
    validator = validate_password_policy if policy else validate.Length(max=MAX_LENGTH)
    return fields.String(validate=validator, load_only=True, **kwargs)


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
    current_password = password_field(policy=False, required=True)
    new_password = password_field(policy=False, required=True)


class UserQueryArgsSchema(ListArgsSchema):
    tenant_id = fields.UUID()
    role = fields.String(validate=validate.OneOf(ROLES))
    q = text(200)
    sort = sort_field("createdAt", "email", "name", default="createdAt")
