"""The room's counts kept on the session row (``presence``): sessions not ended start from
their open attendance rows, so an upgrade during a session keeps its count."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('live_sessions', '0004_checkin_calendar')]

    initial = False

    operations = [
        ops.AddField(
            model_name='LiveSession',
            name='present_users',
            field=fields.IntField(default=0, description='Users with an open socket (runners too) and, of them, trainees and guests: kept by ``presence`` on every first join and last leave, so no join counts the room.'),
        ),
        ops.AddField(
            model_name='LiveSession',
            name='present_trainees',
            field=fields.IntField(default=0),
        ),
        ops.RunSQL(
            "UPDATE live_session SET "
            "present_users = (SELECT COUNT(*) FROM live_attendance a WHERE a.session_id = "
            "live_session.id AND a.open_connections > 0), "
            "present_trainees = (SELECT COUNT(*) FROM live_attendance a WHERE a.session_id = "
            "live_session.id AND a.open_connections > 0 AND a.role <> 'runner') "
            "WHERE status <> 'ended'",
            reverse_sql="SELECT 1",
        ),
    ]
