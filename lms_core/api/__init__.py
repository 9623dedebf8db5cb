"""The JSON API under /api/v1: thin handlers over lms_core.services."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from lms_core.api import auth, classes, courses, enrolments, plugins, system, users
from lms_core.settings import Settings

V1 = "/api/v1"


def _r(path: str, endpoint) -> Route:
    return Route(path, endpoint, methods=[endpoint.__lms_api__.method],
                 name=f"api.{endpoint.__name__}")


def routes(settings: Settings | None = None) -> list[BaseRoute]:
    return [
        _r("/healthz", system.healthz),
        _r(f"{V1}/openapi.json", system.openapi),
        _r(f"{V1}/auth/login", auth.login),
        _r(f"{V1}/auth/logout", auth.logout),
        _r(f"{V1}/me", auth.me),
        _r(f"{V1}/me/institution", auth.switch_institution),
        _r(f"{V1}/me/password", auth.change_password),
        _r(f"{V1}/me/tokens", auth.create_token),
        Route(f"{V1}/me/tokens", auth.list_tokens, methods=["GET"], name="api.list_tokens"),
        _r(f"{V1}/me/tokens/{{token_id:int}}", auth.revoke_token),
        _r(f"{V1}/users", users.list_users),
        Route(f"{V1}/users", users.create_user, methods=["POST"], name="api.create_user"),
        _r(f"{V1}/users/{{user_id:int}}", users.get_user),
        _r(f"{V1}/units", users.list_units),
        Route(f"{V1}/units", users.create_unit, methods=["POST"], name="api.create_unit"),
        _r(f"{V1}/positions", users.list_positions),
        Route(f"{V1}/positions", users.create_position, methods=["POST"],
              name="api.create_position"),
        _r(f"{V1}/courses", courses.list_courses),
        _r(f"{V1}/courses/{{course_id:int}}", courses.get_course),
        _r(f"{V1}/classes", classes.list_classes),
        Route(f"{V1}/classes", classes.create_class, methods=["POST"], name="api.create_class"),
        _r(f"{V1}/my/classes", classes.my_classes),
        _r(f"{V1}/classes/{{class_id:int}}", classes.get_class),
        _r(f"{V1}/classes/{{class_id:int}}/enrolments", classes.class_roster),
        _r(f"{V1}/classes/{{class_id:int}}/end", classes.end_class),
        Route(f"{V1}/classes/{{class_id:int}}/enrolments", enrolments.enrol_user,
              methods=["POST"], name="api.enrol_user"),
        _r(f"{V1}/classes/{{class_id:int}}/self-enrol", enrolments.self_enrol),
        _r(f"{V1}/classes/{{class_id:int}}/withdraw", enrolments.withdraw_self),
        _r(f"{V1}/classes/{{class_id:int}}/nominations", enrolments.nominate),
        _r(f"{V1}/enrolments/{{enrolment_id:int}}", enrolments.change_status),
        _r(f"{V1}/plugins", plugins.list_plugins),
        _r(f"{V1}/plugins/{{name:str}}", plugins.toggle_plugin),
        # Only for end-to-end tests: without LMS_TEST_CLOCK=1 the path does not exist (404).
        *([_r(f"{V1}/system/clock", system.read_clock),
           _r(f"{V1}/system/clock", system.move_clock)]
          if settings is not None and settings.test_clock else []),
    ]
