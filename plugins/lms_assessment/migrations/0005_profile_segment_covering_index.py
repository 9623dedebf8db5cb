from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('assessment', '0004_drop_single_review'), ('lms', '0006_report_indexes')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='ProfileSegment',
            name=None,
            fields=['user_id', 'competency_id'],
        ),
        ops.AddIndex(
            model_name='ProfileSegment',
            index=Index(fields=['user_id', 'competency_id', 'level', 'valid_from', 'valid_until']),
        ),
    ]
