"""Auth request and response schemas."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from siteninja.core.schemas import BaseSchema, text
from siteninja.core.validators import validate_subdomain
from siteninja.resources.api_keys.schemas import ApiKeySchema
from siteninja.resources.users.schemas import UserSchema, email_field, password_field


class RegisterSchema(BaseSchema):
    email = email_field(required=True)
    password = password_field(required=True)
    name = text(200, min_length=1, required=True)
    tenant_name = text(200, min_length=1)
    subdomain = fields.String(validate=validate_subdomain)

    @validates_schema
    def tenant_fields_together(self, data: dict, **kwargs) -> None:
        if ("tenant_name" in data) != ("subdomain" in data):
            field = "subdomain" if "tenant_name" in data else "tenantName"
            raise ValidationError("tenantName and subdomain go together", field)


class AcceptedSchema(BaseSchema):
    """The body of a 202: the request was taken; the work (an email) happens later."""

    accepted = fields.Boolean(required=True)


class LoginSchema(BaseSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class LogoutSchema(BaseSchema):
    refresh_token = fields.String(load_only=True, validate=validate.Length(max=4096))


class TokenSchema(BaseSchema):
    token = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class EmailSchema(BaseSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))


class ResetPasswordSchema(BaseSchema):
    token = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    password = password_field(policy=False, required=True)


class SessionSchema(BaseSchema):
    user = fields.Nested(UserSchema)
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class MeSchema(BaseSchema):
    type = fields.String()
    user = fields.Nested(UserSchema)
    api_key = fields.Nested(ApiKeySchema)
    tenant_id = fields.UUID()
    scopes = fields.List(fields.String())
