from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('lms', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='session_epoch',
            field=fields.IntField(default=0, db_default=0, description='Bumped when the password changes, which ends every session signed with the old value.'),
        ),
    ]
