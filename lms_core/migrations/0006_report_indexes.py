from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes'), ('lms', '0005_platform_value')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['unit_id']),
        ),
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['id', 'is_active', 'unit_id', 'job_position_id']),
        ),
    ]
