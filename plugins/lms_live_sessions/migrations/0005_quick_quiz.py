from tortoise import migrations
from tortoise.migrations import operations as ops
from lms_live_sessions.models import ActivityKind
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('live_sessions', '0004_checkin_calendar'), ('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Activity',
            name='kind',
            field=fields.CharEnumField(description='POLL: poll\nRATING: rating\nWORD_CLOUD: word_cloud\nOPEN_QUESTION: open_question\nQUICK_QUIZ: quick_quiz', enum_type=ActivityKind, max_length=16),
        ),
        ops.AddField(
            model_name='Activity',
            name='private',
            field=fields.JSONField(default=dict, description="Never sent while the activity is open: a quick quiz's answer key (``quick_quiz.py``).", encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='ActivityResponse',
            name='elapsed_ms',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ActivityResponse',
            name='fraction',
            field=fields.FloatField(null=True, description='Quick quiz: the share of the question earned (0..1), the time taken to answer and the'),
        ),
        ops.AddField(
            model_name='ActivityResponse',
            name='score',
            field=fields.IntField(null=True),
        ),
    ]
