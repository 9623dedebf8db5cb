from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('assessment', '0003_certificates'), ('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes'), ('lms', '0005_platform_value')]

    initial = False

    operations = [
        ops.DeleteModel(name='PostTrainingReview'),
    ]
