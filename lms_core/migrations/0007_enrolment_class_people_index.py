from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes'), ('lms', '0005_platform_value'), ('lms', '0006_report_indexes')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Enrolment',
            name=None,
            fields=['klass_id', 'status'],
        ),
        ops.AddIndex(
            model_name='Enrolment',
            index=Index(fields=['klass_id', 'status', 'user_id']),
        ),
    ]
