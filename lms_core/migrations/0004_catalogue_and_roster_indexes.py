from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('lms', '0003_sort_and_search_keys')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ClassLecturer',
            index=Index(fields=['user_id', 'klass_id']),
        ),
        ops.AddIndex(
            model_name='Course',
            index=Index(fields=['institution_id', 'is_published', 'sort_key', 'id']),
        ),
        ops.AddIndex(
            model_name='CourseClass',
            index=Index(fields=['institution_id', 'starts_on', 'id']),
        ),
        ops.AddIndex(
            model_name='Enrolment',
            index=Index(fields=['klass_id', 'status']),
        ),
    ]
