from tortoise import migrations
from tortoise.migrations import operations as ops
from lms_assessment.models import CombineRule, EvidenceSource, ExemptionStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('assessment', '0001_initial'), ('lms', '0001_initial'), ('lms', '0002_user_session_epoch'), ('lms', '0003_sort_and_search_keys'), ('lms', '0004_catalogue_and_roster_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AssessmentPlan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution_id', fields.IntField(db_index=True)),
                ('klass_id', fields.IntField(unique=True)),
                ('template', fields.CharField(default='standard', max_length=64)),
                ('steps', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'assessment_plan', 'app': 'assessment', 'pk_attr': 'id', 'table_description': 'What is assessed for one class and how much each step weighs, made from a template by an'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Evidence',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution_id', fields.IntField()),
                ('user_id', fields.IntField()),
                ('competency_id', fields.IntField()),
                ('level', fields.SmallIntField()),
                ('source', fields.CharEnumField(description='POST_TEST: post_test\nPRACTICAL: practical\nSUPERVISOR: supervisor\nSELF: self\nPRIOR_CERTIFICATE: prior_certificate\nRECOGNITION: recognition\nCOURSE: course', enum_type=EvidenceSource, max_length=24)),
                ('observed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ref', fields.CharField(default='', description='What it comes from, e.g. "quiz_attempt:123", "enrolment:45", "review:9".', max_length=64)),
                ('recorded_by_id', fields.IntField(null=True)),
                ('note', fields.TextField(default='', unique=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'assessment_evidence', 'app': 'assessment', 'indexes': [Index(fields=['user_id', 'competency_id'])], 'pk_attr': 'id', 'table_description': 'Why someone is held to have a competency at a level: a post-test, a graded practical'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Exemption',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution_id', fields.IntField(db_index=True)),
                ('user_id', fields.IntField()),
                ('course_id', fields.IntField()),
                ('klass_id', fields.IntField(null=True)),
                ('status', fields.CharEnumField(default=ExemptionStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected', enum_type=ExemptionStatus, max_length=16)),
                ('reason', fields.TextField(default='', unique=False)),
                ('requested_by_id', fields.IntField(null=True)),
                ('decided_by_id', fields.IntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'assessment_exemption', 'app': 'assessment', 'indexes': [Index(fields=['user_id', 'course_id'])], 'pk_attr': 'id', 'table_description': 'Recognition of prior learning (công nhận kết quả học tập trước): instead of sitting a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Framework',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('lms.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=255)),
                ('name_en', fields.CharField(default='', max_length=255)),
                ('version', fields.CharField(default='1', max_length=32)),
                ('shared', fields.BooleanField(default=False)),
                ('default_rule', fields.CharEnumField(default=CombineRule.HIGHEST, description='HIGHEST: highest\nLATEST: latest\nPRIORITY: priority', enum_type=CombineRule, max_length=16)),
                ('case_id', fields.CharField(default='', description="The CASE framework document's identifier when imported from IMS CASE (kept on export).", max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'assessment_framework', 'app': 'assessment', 'unique_together': (('institution', 'code'),), 'pk_attr': 'id', 'table_description': 'A competency framework published by an institution. ``shared``: other institutions may'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CompetencyGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('framework', fields.ForeignKeyField('assessment.Framework', source_field='framework_id', db_constraint=True, to_field='id', related_name='groups', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=255)),
                ('name_en', fields.CharField(default='', max_length=255)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'assessment_competency_group', 'app': 'assessment', 'unique_together': (('framework', 'code'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Competency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('framework', fields.ForeignKeyField('assessment.Framework', source_field='framework_id', db_constraint=True, to_field='id', related_name='competencies', on_delete=OnDelete.CASCADE)),
                ('group', fields.ForeignKeyField('assessment.CompetencyGroup', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name='competencies', on_delete=OnDelete.SET_NULL)),
                ('code', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=255)),
                ('name_en', fields.CharField(default='', max_length=255)),
                ('description', fields.TextField(default='', unique=False)),
                ('rule', fields.CharEnumField(null=True, description='HIGHEST: highest\nLATEST: latest\nPRIORITY: priority', enum_type=CombineRule, max_length=16)),
                ('source_priority', fields.JSONField(default=list, description='For the "priority" rule: evidence sources, most trusted first.', encoder=JSON_DUMPS, decoder=loads)),
                ('position', fields.IntField(default=0)),
                ('case_id', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'assessment_competency', 'app': 'assessment', 'unique_together': (('framework', 'code'),), 'pk_attr': 'id', 'table_description': 'One competency with its five proficiency levels (``CompetencyLevel``). ``code`` is what'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CompetencyLevel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('competency', fields.ForeignKeyField('assessment.Competency', source_field='competency_id', db_constraint=True, to_field='id', related_name='levels', on_delete=OnDelete.CASCADE)),
                ('level', fields.SmallIntField()),
                ('descriptor', fields.TextField(default='', unique=False)),
                ('descriptor_en', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'assessment_competency_level', 'app': 'assessment', 'unique_together': (('competency', 'level'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FrameworkUse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution_id', fields.IntField()),
                ('framework', fields.ForeignKeyField('assessment.Framework', source_field='framework_id', db_constraint=True, to_field='id', related_name='uses', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'assessment_framework_use', 'app': 'assessment', 'unique_together': (('institution_id', 'framework'),), 'pk_attr': 'id', 'table_description': "An institution using another's shared framework (its own frameworks need no row)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProfileSegment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution_id', fields.IntField()),
                ('user_id', fields.IntField()),
                ('competency_id', fields.IntField()),
                ('level', fields.SmallIntField()),
                ('valid_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('evidence_id', fields.BigIntField()),
            ],
            options={'table': 'assessment_profile_segment', 'app': 'assessment', 'indexes': [Index(fields=['user_id', 'competency_id']), Index(fields=['competency_id', 'level'])], 'pk_attr': 'id', 'table_description': "A person's level of one competency over a stretch of time, derived from their evidence"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyReceipt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plan', fields.ForeignKeyField('assessment.AssessmentPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.CASCADE)),
                ('user_id', fields.IntField()),
            ],
            options={'table': 'assessment_survey_receipt', 'app': 'assessment', 'unique_together': (('plan', 'user_id'),), 'pk_attr': 'id', 'table_description': "That a trainee has answered a plan's survey (once), never which response is theirs."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plan', fields.ForeignKeyField('assessment.AssessmentPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('answers', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('comment', fields.TextField(default='', unique=False)),
                ('items', fields.IntField()),
                ('unanswered', fields.IntField()),
                ('valid', fields.BooleanField()),
                ('submitted_on', fields.DateField()),
            ],
            options={'table': 'assessment_survey_response', 'app': 'assessment', 'pk_attr': 'id', 'table_description': "One trainee's class-quality survey, with nothing that says whose it is: no user, no time"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='PositionCompetency',
            name='mandatory',
            field=fields.BooleanField(default=True, description='An optional requirement counts in the gap analysis (with its weight) but not in'),
        ),
        ops.AddField(
            model_name='PositionCompetency',
            name='weight',
            field=fields.FloatField(default=1.0),
        ),
    ]
