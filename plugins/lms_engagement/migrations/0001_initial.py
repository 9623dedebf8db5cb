from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from lms_engagement.models import EventKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('lms', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='EngagementEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution_id', fields.IntField(db_index=True)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('enrolment_id', fields.IntField(null=True)),
                ('module_id', fields.IntField(null=True)),
                ('live_session_id', fields.IntField(null=True, db_index=True)),
                ('client_id', fields.CharField(max_length=64)),
                ('kind', fields.CharEnumField(description='VISIBLE: visible\nHIDDEN: hidden\nFOCUS: focus\nBLUR: blur\nIDLE: idle\nACTIVE: active\nHEARTBEAT: heartbeat\nINTERACTION: interaction', enum_type=EventKind, max_length=16)),
                ('client_ts', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('server_ts', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('corrected_ts', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'engagement_event', 'app': 'engagement', 'unique_together': (('user', 'client_id'),), 'indexes': [Index(fields=['user_id', 'module_id', 'corrected_ts'])], 'pk_attr': 'id', 'table_description': 'One event of one page. client_id is made by the browser and unique per user, so a batch'},
            bases=['Model'],
        ),
    ]
