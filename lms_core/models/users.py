"""People, their roles per institution, API tokens and failed-login records."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class Role(str, Enum):
    ADMIN = "admin"
    LECTURER = "lecturer"
    TRAINEE = "trainee"
    SUPERVISOR = "supervisor"
    PLANNER = "planner"


class User(Model):
    """A person. ``name_key`` holds the diacritic-folded name for search, ``sort_key`` orders
    names the Vietnamese way (by given name, then the rest), see ``lms_core.text``."""

    id = fields.IntField(primary_key=True)
    login = fields.CharField(max_length=150, unique=True)
    email = fields.CharField(max_length=254, db_index=True)
    full_name = fields.CharField(max_length=255)
    name_key = fields.CharField(max_length=255, default="", db_index=True)
    sort_key = fields.CharField(max_length=512, default="")
    password_hash = fields.CharField(max_length=255, default="")
    unit: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.Unit", related_name="users", null=True, on_delete=fields.SET_NULL
    )
    job_position: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.JobPosition", related_name="users", null=True, on_delete=fields.SET_NULL
    )
    locale = fields.CharField(max_length=8, default="vi")
    #: Bumped when the password changes, which ends every session signed with the old value.
    session_epoch = fields.IntField(default=0, db_default=0)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lms_user"
        #: A unit's people (with its sub-units: the units of a path prefix), for the reports
        #: and gap lists of one unit without reading the institution's; and everyone in id
        #: order with the columns the institution-wide reports read (an index-only scan,
        #: merged with each person's profile segments: lms_assessment/standard.py).
        indexes = (("unit_id",), ("id", "is_active", "unit_id", "job_position_id"))


class Membership(Model):
    """A role a user holds in one institution. A lecturer may teach for two institutions."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "lms.User", related_name="memberships", on_delete=fields.CASCADE
    )
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lms_membership"
        unique_together = (("user", "institution", "role"),)


class ApiToken(Model):
    """Bearer token for scripts. Only a SHA-256 of the secret is stored, the secret is shown once."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "lms.User", related_name="api_tokens", on_delete=fields.CASCADE
    )
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="api_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    revoked = fields.BooleanField(default=False)

    class Meta:
        table = "lms_api_token"


class LoginFailure(Model):
    """One failed login, counted per login and per address to rate-limit guessing across workers."""

    id = fields.IntField(primary_key=True)
    login = fields.CharField(max_length=150, db_index=True)
    address = fields.CharField(max_length=64, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "lms_login_failure"
