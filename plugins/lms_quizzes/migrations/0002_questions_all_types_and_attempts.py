from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('lms', '0004_catalogue_and_roster_indexes'), ('quizzes', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Quiz',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='quizzes', on_delete=OnDelete.CASCADE)),
                ('module', fields.OneToOneField('lms.CourseModule', source_field='module_id', db_constraint=True, to_field='id', related_name='quiz', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(default='graded', max_length=16)),
                ('slots', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('time_limit_seconds', fields.IntField(default=0)),
                ('opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts_allowed', fields.IntField(default=0)),
                ('grading_method', fields.CharField(default='highest', max_length=16)),
                ('pass_fraction', fields.FloatField(default=0.5)),
                ('shuffle_questions', fields.BooleanField(default=False)),
                ('shuffle_answers', fields.BooleanField(default=True)),
                ('layout', fields.CharField(default='one_per_page', max_length=16)),
                ('review', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('completion', fields.CharField(default='passed', max_length=16)),
                ('version', fields.IntField(default=1)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'quizzes_quiz', 'app': 'quizzes', 'pk_attr': 'id', 'table_description': "The settings of one ``quiz`` course module. Created from the module's ``data`` when"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('quiz', fields.ForeignKeyField('quizzes.Quiz', source_field='quiz_id', db_constraint=True, to_field='id', related_name='attempts', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('lms.User', source_field='user_id', db_constraint=True, to_field='id', related_name='quiz_attempts', on_delete=OnDelete.CASCADE)),
                ('enrolment', fields.ForeignKeyField('lms.Enrolment', source_field='enrolment_id', null=True, db_constraint=True, to_field='id', related_name='quiz_attempts', on_delete=OnDelete.SET_NULL)),
                ('number', fields.IntField()),
                ('state', fields.CharField(default='in_progress', max_length=16)),
                ('seed', fields.BigIntField()),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sum_marks', fields.FloatField(null=True)),
                ('max_marks', fields.FloatField(default=0)),
                ('fraction', fields.FloatField(null=True)),
                ('needs_grading', fields.BooleanField(default=False)),
                ('passed', fields.BooleanField(null=True)),
                ('quiz_version', fields.IntField(default=1)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'quizzes_attempt', 'app': 'quizzes', 'unique_together': (('quiz', 'user', 'number'),), 'indexes': [Index(fields=['quiz_id', 'state']), Index(fields=['user_id', 'quiz_id'])], 'pk_attr': 'id', 'table_description': "One trainee's attempt. ``deadline`` is the server's: saves after it (and a short grace"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttemptSlot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attempt', fields.ForeignKeyField('quizzes.Attempt', source_field='attempt_id', db_constraint=True, to_field='id', related_name='slot_rows', on_delete=OnDelete.CASCADE)),
                ('slot', fields.IntField()),
                ('question_id', fields.IntField(null=True)),
                ('question_version', fields.IntField(default=1)),
                ('question', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('max_mark', fields.FloatField(default=1)),
                ('response', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('seq', fields.IntField(default=0)),
                ('saved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('flagged', fields.BooleanField(default=False)),
                ('fraction', fields.FloatField(null=True)),
                ('mark', fields.FloatField(null=True)),
                ('state', fields.CharField(default='unanswered', max_length=16)),
                ('feedback', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('comment', fields.TextField(default='', unique=False)),
                ('graded_by', fields.ForeignKeyField('lms.User', source_field='graded_by_id', null=True, db_constraint=True, to_field='id', related_name='graded_slots', on_delete=OnDelete.SET_NULL)),
                ('graded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'quizzes_attempt_slot', 'app': 'quizzes', 'unique_together': (('attempt', 'slot'),), 'indexes': [Index(fields=['state', 'attempt_id'])], 'pk_attr': 'id', 'table_description': "One question of an attempt with the trainee's answer. ``question`` is a snapshot of the"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Question',
            name='options',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Question',
            name='text_format',
            field=fields.CharField(default='markdown', db_default='markdown', max_length=16),
        ),
    ]
