from tortoise import migrations
from tortoise.migrations import operations as ops
from lms_live_sessions.models import SessionMode, SessionStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('lms', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='LiveSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('klass', fields.ForeignKeyField('lms.CourseClass', source_field='klass_id', db_constraint=True, to_field='id', related_name='live_sessions', on_delete=OnDelete.CASCADE)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='live_sessions', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=255)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('mode', fields.CharEnumField(default=SessionMode.IN_ROOM, description='IN_ROOM: in_room\nONLINE: online\nBOTH: both', enum_type=SessionMode, max_length=16)),
                ('room', fields.CharField(default='', max_length=255)),
                ('meeting_url', fields.CharField(default='', max_length=500)),
                ('join_code', fields.CharField(null=True, unique=True, max_length=6)),
                ('status', fields.CharEnumField(default=SessionStatus.SCHEDULED, db_index=True, description='SCHEDULED: scheduled\nLIVE: live\nENDED: ended', enum_type=SessionStatus, max_length=16)),
                ('allow_guests', fields.BooleanField(default=False)),
                ('created_by', fields.ForeignKeyField('lms.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='live_sessions_created', on_delete=OnDelete.SET_NULL)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('seq', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'live_session', 'app': 'live_sessions', 'indexes': [Index(fields=['klass_id', 'starts_at'])], 'pk_attr': 'id', 'table_description': 'A live period of a class, held in a room, online or both.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attendance',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name='attendance', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name='live_attendance', on_delete=OnDelete.CASCADE)),
                ('first_join_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_leave_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('seconds_present', fields.IntField(default=0)),
                ('joins', fields.IntField(default=0)),
                ('open_connections', fields.IntField(default=0)),
                ('present_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'live_attendance', 'app': 'live_sessions', 'unique_together': (('session', 'user'),), 'pk_attr': 'id', 'table_description': 'Presence of one user in one session, summed over every connection.'},
            bases=['Model'],
        ),
    ]
