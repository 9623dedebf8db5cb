from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('lms', '0004_catalogue_and_roster_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PlatformValue',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100)),
                ('value', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'lms_platform_value', 'app': 'lms', 'pk_attr': 'key', 'table_description': "A value of the whole installation, not of one institution: the test clock's shared offset"},
            bases=['Model'],
        ),
    ]
