"""One (institution_id, server_ts) index instead of one on each column: the retention purge
asks for both, nothing asks for either alone, and every event written updates every index of
the table written most."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('engagement', '0002_live_figures'), ('lms', '0007_enrolment_class_people_index')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='EngagementEvent',
            name=None,
            fields=['server_ts'],
        ),
        ops.AlterField(
            model_name='EngagementEvent',
            name='institution_id',
            field=fields.IntField(),
        ),
        ops.AddIndex(
            model_name='EngagementEvent',
            index=Index(fields=['institution_id', 'server_ts']),
        ),
    ]
