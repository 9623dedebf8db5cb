from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from lms_core.text import fold, word_key


async def fill_keys(apps, schema_editor) -> None:
    """Rows from before this migration get their keys, so search and order see them too."""
    client = schema_editor.client
    sqlite = client.capabilities.dialect == "sqlite"
    ph = (lambda n: "?") if sqlite else (lambda n: f"${n}")
    _, courses = await client.execute_query("SELECT id, title FROM lms_course")
    for row in courses:
        await client.execute_query(
            f"UPDATE lms_course SET sort_key = {ph(1)} WHERE id = {ph(2)}",
            [word_key(row["title"])[:600], row["id"]])
    _, classes = await client.execute_query("SELECT id, title FROM lms_class")
    for row in classes:
        await client.execute_query(
            f"UPDATE lms_class SET title_key = {ph(1)} WHERE id = {ph(2)}",
            [fold(row["title"])[:255], row["id"]])

class Migration(migrations.Migration):
    dependencies = [('lms', '0002_user_session_epoch')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Course',
            name='sort_key',
            field=fields.CharField(default='', db_default='', description="Vietnamese alphabetical order (lms_core.text.word_key), not the database's collation.", max_length=600),
        ),
        ops.AddField(
            model_name='CourseClass',
            name='title_key',
            field=fields.CharField(default='', db_default='', db_index=True, max_length=255),
        ),
        ops.RunPython(fill_keys, ops.RunPython.noop),
    ]
