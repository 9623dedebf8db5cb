from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('lms', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='QuestionCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='question_categories', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('quizzes.QuestionCategory', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=255)),
                ('path', fields.CharField(default='/', db_index=True, max_length=1024)),
                ('depth', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'quizzes_question_category', 'app': 'quizzes', 'pk_attr': 'id', 'table_description': 'A folder of the question bank. ``path`` is materialised ("/3/17/42/") like the core\'s'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Question',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('category', fields.ForeignKeyField('quizzes.QuestionCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=255)),
                ('type', fields.CharField(max_length=32)),
                ('text', fields.TextField(unique=False)),
                ('text_html', fields.TextField(unique=False)),
                ('answers', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('general_feedback', fields.TextField(default='', unique=False)),
                ('competencies', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('competency_key', fields.CharField(default='', max_length=4000)),
                ('search_key', fields.TextField(default='', unique=False)),
                ('created_by', fields.ForeignKeyField('lms.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='authored_questions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'quizzes_question', 'app': 'quizzes', 'pk_attr': 'id', 'table_description': "One question of the bank. ``text`` is the author's Markdown, ``text_html`` its rendered"},
            bases=['Model'],
        ),
    ]
