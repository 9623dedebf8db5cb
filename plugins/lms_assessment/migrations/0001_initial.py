from tortoise import migrations
from tortoise.migrations import operations as ops
from lms_assessment.models import ReviewStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('lms', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='PositionCompetency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('position', fields.ForeignKeyField('lms.JobPosition', source_field='position_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=64)),
                ('required_level', fields.SmallIntField(default=1)),
            ],
            options={'table': 'assessment_position_competency', 'app': 'assessment', 'unique_together': (('position', 'code'),), 'pk_attr': 'id', 'table_description': 'A competency a job position requires (khung năng lực), with the level expected (1 to 5).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostTrainingReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('enrolment', fields.OneToOneField('lms.Enrolment', source_field='enrolment_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('lms.User', source_field='trainee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('reviewer', fields.ForeignKeyField('lms.User', source_field='reviewer_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('due_on', fields.DateField(db_index=True)),
                ('status', fields.CharEnumField(default=ReviewStatus.PENDING, db_index=True, description='PENDING: pending\nDONE: done\nCANCELLED: cancelled', enum_type=ReviewStatus, max_length=16)),
                ('rating', fields.SmallIntField(null=True)),
                ('applied_level', fields.SmallIntField(null=True)),
                ('comment', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'assessment_review', 'app': 'assessment', 'indexes': [Index(fields=['institution_id', 'reviewer_id', 'status'])], 'pk_attr': 'id', 'table_description': "The supervisor's rating of how a trainee applies a completed course in the job, due some"},
            bases=['Model'],
        ),
    ]
