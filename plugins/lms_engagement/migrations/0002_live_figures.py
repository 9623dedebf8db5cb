from tortoise import migrations
from tortoise.migrations import operations as ops
from lms_engagement.models import CheckSource, EventKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('engagement', '0001_initial'), ('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttentionCheck',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session_id', fields.IntField(db_index=True)),
                ('institution_id', fields.IntField()),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('seconds', fields.IntField()),
                ('source', fields.CharEnumField(description='LECTURER: lecturer\nRULE: rule', enum_type=CheckSource, max_length=16)),
                ('sent_by_id', fields.IntField(null=True)),
                ('recipients', fields.IntField(default=0, description='Trainees connected when it was sent: the denominator of the answer rate.')),
            ],
            options={'table': 'engagement_attention_check', 'app': 'engagement', 'pk_attr': 'id', 'table_description': 'A "still with us?" prompt sent to the room. Answers are timed by the server.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttentionAnswer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('check', fields.ForeignKeyField('engagement.AttentionCheck', source_field='check_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('user_id', fields.IntField()),
                ('answered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('latency_ms', fields.IntField()),
                ('in_time', fields.BooleanField()),
            ],
            options={'table': 'engagement_attention_answer', 'app': 'engagement', 'unique_together': (('check', 'user_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LiveState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session_id', fields.IntField()),
                ('institution_id', fields.IntField()),
                ('user_id', fields.IntField()),
                ('sockets', fields.IntField(default=0)),
                ('visible', fields.BooleanField(default=True)),
                ('focused', fields.BooleanField(default=True)),
                ('idle', fields.BooleanField(default=False)),
                ('last_signal_at', fields.DatetimeField(description="Server time of the last signal (or of the socket's opening): a silent page is away.", auto_now=False, auto_now_add=False)),
                ('state_at', fields.DatetimeField(description='Corrected time of the event that set the state', auto_now=False, auto_now_add=False)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('interactions', fields.IntField(default=0)),
                ('nudged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'engagement_live_state', 'app': 'engagement', 'unique_together': (('session_id', 'user_id'),), 'pk_attr': 'id', 'table_description': "Where each trainee of a running session is right now, for the lecturer's live counts:"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PeriodResult',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session_id', fields.IntField()),
                ('institution_id', fields.IntField(db_index=True)),
                ('klass_id', fields.IntField(db_index=True)),
                ('user_id', fields.IntField(db_index=True)),
                ('enrolment_id', fields.IntField(null=True)),
                ('present_seconds', fields.FloatField(default=0)),
                ('visible_seconds', fields.FloatField(default=0)),
                ('attentive_seconds', fields.FloatField(default=0)),
                ('away_count', fields.IntField(default=0)),
                ('away_longest_seconds', fields.FloatField(default=0)),
                ('away_total_seconds', fields.FloatField(default=0)),
                ('interactions', fields.IntField(default=0)),
                ('checks_sent', fields.IntField(default=0)),
                ('checks_answered', fields.IntField(default=0)),
                ('checks_mean_latency_ms', fields.IntField(null=True)),
                ('score', fields.IntField(default=0)),
                ('attended', fields.BooleanField(default=False)),
                ('reason', fields.CharField(default='', description='Why the period does not count as attended (empty when it does), in both languages.', max_length=500)),
                ('reason_en', fields.CharField(default='', max_length=500)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'engagement_period_result', 'app': 'engagement', 'unique_together': (('session_id', 'user_id'),), 'pk_attr': 'id', 'table_description': "One trainee's figures for one ended period (live session), computed once when it ends"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PeriodSummary',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session_id', fields.IntField(unique=True)),
                ('institution_id', fields.IntField(db_index=True)),
                ('klass_id', fields.IntField(db_index=True)),
                ('title', fields.CharField(default='', max_length=255)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('present', fields.IntField(default=0)),
                ('interacted', fields.IntField(default=0)),
                ('coverage', fields.FloatField(null=True)),
                ('attentive_share', fields.FloatField(null=True)),
                ('timeline', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('drops', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'engagement_period_summary', 'app': 'engagement', 'pk_attr': 'id', 'table_description': "The room's figures for one ended period: coverage, the minute-by-minute attention"},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='EngagementEvent',
            name='kind',
            field=fields.CharEnumField(description='VISIBLE: visible\nHIDDEN: hidden\nFOCUS: focus\nBLUR: blur\nIDLE: idle\nACTIVE: active\nHEARTBEAT: heartbeat\nINTERACTION: interaction\nJOINED: joined\nLEFT: left', enum_type=EventKind, max_length=16),
        ),
        ops.AddIndex(
            model_name='EngagementEvent',
            index=Index(fields=['server_ts']),
        ),
    ]
