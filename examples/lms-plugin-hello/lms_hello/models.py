"""The plugin's tables, in its own Tortoise app ``hello``. Core tables are referenced as
``"lms.<Model>"`` and never altered, not even by a reverse relation (``related_name=False``):
the core's models look the same whichever plugins are installed. Docstrings become table
comments, so they avoid semicolons (Tortoise's SQLite schema editor splits SQL on them)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Greeting(Model):
    """A short message for one user, written by the user or when they start a class."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, on_delete=fields.CASCADE
    )
    message = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "hello_greeting"  # prefixed with the plugin's name, like every table it owns
        indexes = (("institution_id", "user_id"),)  # column names, not field names
