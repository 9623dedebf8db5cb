"""Core models (Tortoise app label ``lms``): every table the core owns, one concept per module."""

from lms_core.models.institutions import Institution, JobPosition, Unit
from lms_core.models.users import ApiToken, LoginFailure, Membership, Role, User
from lms_core.models.courses import Course, CourseModule
from lms_core.models.classes import ClassLecturer, CourseClass, DeliveryMode
from lms_core.models.enrolments import (
    CourseCompletion,
    Enrolment,
    EnrolmentStatus,
    ModuleProgress,
    ProgressStatus,
)
from lms_core.models.platform import (
    EventLog,
    InstitutionPlugin,
    InstitutionSetting,
    PlatformValue,
)

__all__ = [
    "ApiToken", "ClassLecturer", "Course", "CourseClass", "CourseCompletion", "CourseModule",
    "DeliveryMode", "Enrolment", "EnrolmentStatus", "EventLog", "Institution",
    "InstitutionPlugin", "InstitutionSetting", "JobPosition", "LoginFailure", "Membership",
    "ModuleProgress", "PlatformValue", "ProgressStatus", "Role", "Unit", "User",
]
