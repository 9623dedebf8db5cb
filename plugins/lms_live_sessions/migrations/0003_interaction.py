from tortoise import migrations
from tortoise.migrations import operations as ops
from lms_live_sessions.models import GroupingMode, QuestionStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('live_sessions', '0002_activities'), ('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Discussion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name='discussions', on_delete=OnDelete.CASCADE)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('prompt', fields.CharField(max_length=500)),
                ('mode', fields.CharEnumField(description='RANDOM: random\nUNIT: unit', enum_type=GroupingMode, max_length=16)),
                ('open', fields.BooleanField(default=True)),
                ('shown_group_id', fields.IntField(null=True)),
                ('shown_revision', fields.IntField(default=0)),
                ('created_by', fields.ForeignKeyField('lms.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'live_discussion', 'app': 'live_sessions', 'indexes': [Index(fields=['session_id', 'open'])], 'pk_attr': 'id', 'table_description': 'A group discussion: the present trainees split into groups, each writing one shared'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DiscussionGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('discussion', fields.ForeignKeyField('live_sessions.Discussion', source_field='discussion_id', db_constraint=True, to_field='id', related_name='groups', on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('name', fields.CharField(max_length=255)),
                ('answer', fields.TextField(default='', unique=False)),
                ('revision', fields.IntField(default=0)),
                ('client_ids', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_by', fields.ForeignKeyField('lms.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'live_discussion_group', 'app': 'live_sessions', 'unique_together': (('discussion_id', 'number'),), 'pk_attr': 'id', 'table_description': 'One group and its shared answer. ``revision`` grows by one per accepted edit: an edit'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DiscussionMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('live_sessions.DiscussionGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('discussion', fields.ForeignKeyField('live_sessions.Discussion', source_field='discussion_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'live_discussion_member', 'app': 'live_sessions', 'unique_together': (('discussion_id', 'user_id'),), 'indexes': [Index(fields=['session_id', 'user_id'])], 'pk_attr': 'id', 'table_description': 'A trainee in a group, at most one group per discussion.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HandRaise',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name='hands', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('raised_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lowered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lowered_by', fields.ForeignKeyField('lms.User', source_field='lowered_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('times', fields.IntField(default=0)),
                ('token', fields.CharField(default='', description="A random token per raise: the room's ``hands`` frames name lowered hands by token, so", max_length=16)),
            ],
            options={'table': 'live_hand', 'app': 'live_sessions', 'unique_together': (('session_id', 'user_id'),), 'pk_attr': 'id', 'table_description': "A participant's hand, one row per (session, user): ``raised_at`` is set while the hand"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LiveQuestion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('live_sessions.LiveSession', source_field='session_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('enrolment', fields.ForeignKeyField('lms.Enrolment', source_field='enrolment_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('client_id', fields.CharField(max_length=64)),
                ('text', fields.CharField(max_length=500)),
                ('anonymous', fields.BooleanField(default=False)),
                ('status', fields.CharEnumField(default=QuestionStatus.VISIBLE, description='PENDING: pending\nVISIBLE: visible\nHIDDEN: hidden', enum_type=QuestionStatus, max_length=16)),
                ('pinned', fields.BooleanField(default=False)),
                ('answered', fields.BooleanField(default=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('votes', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'live_question', 'app': 'live_sessions', 'unique_together': (('session_id', 'user_id', 'client_id'),), 'indexes': [Index(fields=['session_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A question a participant asks during the session (Q&A). ``anonymous`` hides the author'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuestionVote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('question', fields.ForeignKeyField('live_sessions.LiveQuestion', source_field='question_id', db_constraint=True, to_field='id', related_name='vote_rows', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('active', fields.BooleanField(default=True)),
                ('client_ids', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'live_question_vote', 'app': 'live_sessions', 'unique_together': (('question_id', 'user_id'),), 'pk_attr': 'id', 'table_description': "One person's vote on one question, unique per (question, user). Un-voting keeps the row"},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='LiveEvent',
            name='audience',
            field=fields.CharField(description='``all``, ``public``, ``runner``, ``screen`` or ``group:<id>`` (one discussion group).', max_length=24),
        ),
        ops.AddField(
            model_name='LiveSession',
            name='qna_moderated',
            field=fields.BooleanField(default=False, description="Q&A: questions wait for a runner's approval before the room sees them."),
        ),
    ]
