from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('assessment', '0002_frameworks_and_profiles'), ('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes'), ('lms', '0005_platform_value')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution_id', fields.IntField(db_index=True)),
                ('user_id', fields.IntField(db_index=True)),
                ('course_id', fields.IntField()),
                ('klass_id', fields.IntField(db_index=True)),
                ('enrolment_id', fields.IntField(unique=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('number', fields.CharField(max_length=32)),
                ('holder_name', fields.CharField(max_length=255)),
                ('course_title', fields.CharField(max_length=255)),
                ('course_title_en', fields.CharField(default='', max_length=255)),
                ('class_code', fields.CharField(default='', max_length=64)),
                ('institution_name', fields.CharField(max_length=255)),
                ('duration_hours', fields.IntField(default=0)),
                ('competencies', fields.JSONField(default=list, description='[{code, name, level}]: what the course develops, as known when issued', encoder=JSON_DUMPS, decoder=loads)),
                ('completed_on', fields.DateField()),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_reason', fields.TextField(default='', unique=False)),
                ('revoked_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'assessment_certificate', 'app': 'assessment', 'pk_attr': 'id', 'table_description': 'A certificate of completed training, issued only where the institution issues them'},
            bases=['Model'],
        ),
    ]
