from tortoise import migrations
from tortoise.migrations import operations as ops
from lms_live_sessions.models import ActivityKind, ActivityState, ResultsVisibility
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('live_sessions', '0001_initial'), ('lms', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Activity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.CASCADE)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='POLL: poll\nRATING: rating\nWORD_CLOUD: word_cloud\nOPEN_QUESTION: open_question', enum_type=ActivityKind, max_length=16)),
                ('state', fields.CharEnumField(default=ActivityState.QUEUED, description='DRAFT: draft\nQUEUED: queued\nOPEN: open\nCLOSED: closed', enum_type=ActivityState, max_length=16)),
                ('visibility', fields.CharEnumField(default=ResultsVisibility.AFTER_CLOSE, description='HIDDEN: hidden\nAFTER_CLOSE: after_close\nLIVE: live', enum_type=ResultsVisibility, max_length=16)),
                ('prompt', fields.CharField(max_length=500)),
                ('config', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('allow_change', fields.BooleanField(default=True)),
                ('position', fields.IntField(default=0)),
                ('created_by', fields.ForeignKeyField('lms.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'live_activity', 'app': 'live_sessions', 'indexes': [Index(fields=['session_id', 'position']), Index(fields=['session_id', 'state'])], 'pk_attr': 'id', 'table_description': 'Something a lecturer pushes to the room: a poll, a rating scale, a word cloud or an open'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActivityResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('activity', fields.ForeignKeyField('live_sessions.Activity', source_field='activity_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('enrolment', fields.ForeignKeyField('lms.Enrolment', source_field='enrolment_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('answer', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('client_id', fields.CharField(max_length=64)),
                ('client_ids', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('revision', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'live_activity_response', 'app': 'live_sessions', 'unique_together': (('activity_id', 'user_id'),), 'indexes': [Index(fields=['session_id', 'user_id'])], 'pk_attr': 'id', 'table_description': "One trainee's current answer to one activity, kept against their enrolment."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LiveEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('seq', fields.BigIntField()),
                ('audience', fields.CharField(max_length=8)),
                ('frame', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'live_event', 'app': 'live_sessions', 'unique_together': (('session_id', 'seq'),), 'pk_attr': 'id', 'table_description': 'A frame broadcast about a session, kept as sent so a client that reconnects with the'},
            bases=['Model'],
        ),
    ]
