"""Server-rendered pages (Jinja2 templates live in frontend/templates)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

from lms_core.settings import Settings
from lms_core.web import admin, views
from lms_core.web.media import MediaFiles


def routes(settings: Settings) -> list[BaseRoute]:
    media = settings.var_dir / "media"
    media.mkdir(parents=True, exist_ok=True)
    return [
        Route("/", views.home, name="home"),
        Route("/login", views.login_form, methods=["GET"], name="login"),
        Route("/login", views.login_submit, methods=["POST"]),
        Route("/logout", views.logout, methods=["POST"], name="logout"),
        Route("/lang", views.set_language, methods=["POST"], name="lang"),
        Route("/courses", views.catalogue, name="catalogue"),
        Route("/courses/{course_id:int}", views.course_page, name="course"),
        Route("/courses/{course_id:int}/m/{key:str}", views.module_page, name="module"),
        Route("/courses/{course_id:int}/m/{key:str}/complete", views.module_complete,
              methods=["POST"]),
        Route("/classes/{class_id:int}", views.class_page, name="class"),
        Route("/classes/{class_id:int}/self-enrol", views.class_self_enrol, methods=["POST"]),
        *admin.routes(),
        Mount("/media", MediaFiles(media), name="media"),
    ]
