"""Engagement events keep their ``user_id`` but lose the foreign key to ``lms_user`` on
PostgreSQL: the key's per-row check and lock of the user's row cost ~6 µs of PostgreSQL's CPU per
event, on the table written most. The model's ``user`` relation becomes the plain ``user_id``
column it always was in the table.

Not the operations ``makemigrations`` writes for that change: its RemoveField + AddField would
drop the ``user_id`` column, and every event with it. ``EventUserWithoutKey`` changes the
migration state exactly as those operations would and leaves the table's column, rows and
indexes alone; on PostgreSQL it drops the foreign key constraint. SQLite keeps the key in its
table definition (dropping it means rebuilding the table; SQLite's ingestion is not the
bottleneck, and no user is ever deleted)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

_DROP_KEYS = """
DO $$
DECLARE key_name text;
BEGIN
  FOR key_name IN SELECT conname FROM pg_constraint
                  WHERE conrelid = 'engagement_event'::regclass AND contype = 'f' LOOP
    EXECUTE format('ALTER TABLE engagement_event DROP CONSTRAINT %I', key_name);
  END LOOP;
END $$;
"""


class EventUserWithoutKey(ops.TortoiseOperation):
    STATE = (
        ops.RemoveConstraint(model_name='EngagementEvent', name=None,
                             fields=['user', 'client_id']),
        ops.RemoveField(model_name='EngagementEvent', name='user'),
        ops.AddField(
            model_name='EngagementEvent',
            name='user_id',
            field=fields.IntField(description="The user's id, without a foreign key on PostgreSQL (migration 0004): events are the table"),
        ),
        ops.AddConstraint(model_name='EngagementEvent',
                          constraint=UniqueConstraint(fields=('user_id', 'client_id'),
                                                      name=None)),
    )

    def describe(self) -> str:
        return "Engagement events: user_id without a foreign key (column and rows kept)"

    def state_forward(self, app_label: str, state) -> None:
        for operation in self.STATE:
            operation.state_forward(app_label, state)

    async def database_forward(self, app_label: str, old_state, new_state,
                               state_editor=None) -> None:
        if state_editor is not None and state_editor.DIALECT == "postgres":
            await state_editor.client.execute_script(_DROP_KEYS)


class Migration(migrations.Migration):
    dependencies = [('engagement', '0003_event_purge_index')]

    initial = False

    operations = [EventUserWithoutKey()]
