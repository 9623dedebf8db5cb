from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('live_sessions', '0003_interaction'), ('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarFeed',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'live_calendar_feed', 'app': 'live_sessions', 'unique_together': (('user_id',),), 'pk_attr': 'id', 'table_description': "A user's secret iCal feed URL. Only the SHA-256 of the token is stored: a leaked"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Attendance',
            name='checked_in_at',
            field=fields.DatetimeField(null=True, description='When the user gave a valid check-in code (sessions that require one, ``checkin.py``).', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Attendance',
            name='role',
            field=fields.CharField(default='trainee', description='``runner``, ``trainee`` or ``guest``: the counts shown to the room leave runners out.', max_length=8),
        ),
        ops.AddField(
            model_name='LiveSession',
            name='checkin_period',
            field=fields.IntField(default=30, description="Seconds each code lasts: the institution's setting when check-in was turned on."),
        ),
        ops.AddField(
            model_name='LiveSession',
            name='checkin_required',
            field=fields.BooleanField(default=False, description='Attendance counts only trainees who typed the rotating check-in code (``checkin.py``).'),
        ),
        ops.AddField(
            model_name='LiveSession',
            name='checkin_secret',
            field=fields.CharField(default='', description='The key of that code (HMAC of the time window): every worker computes the same code.', max_length=64),
        ),
    ]
