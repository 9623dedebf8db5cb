"""Course progress of a submitted attempt is recorded by a job (``progress.py``), not inside the
submit request: ``progress_pending`` is the durable mark of what is still to record. The
partial index keeps the sweep's lookup cheap however many attempts there are."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('quizzes', '0002_questions_all_types_and_attempts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Attempt',
            name='progress_pending',
            field=fields.BooleanField(default=False, description='Finished, and its course progress not yet recorded (``progress.py``): set in the same'),
        ),
        ops.RunSQL(
            "CREATE INDEX idx_quizzes_attempt_progress_pending ON quizzes_attempt "
            "(finished_at) WHERE progress_pending",
            reverse_sql="DROP INDEX idx_quizzes_attempt_progress_pending",
        ),
    ]
