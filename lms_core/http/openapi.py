"""Builds the OpenAPI 3.1 document from the routes themselves, so it cannot drift from them."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from starlette.routing import BaseRoute, Mount, Route

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; `detail` is in the caller's language.",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "detail_vi": {"type": "string"},
        "detail_en": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["title", "status", "detail"],
}

_PARAM = re.compile(r"{([^}:]+)(?::([^}]+))?}")


def _walk(routes: list[BaseRoute], prefix: str = ""):
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(list(route.routes or []), prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def _schema(model: Any, components: dict[str, Any]) -> dict[str, Any]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            components[name] = sub
        components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}
    schema = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    return schema


def build_openapi(routes: list[BaseRoute], version: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    components: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    for path, route in _walk(routes):
        meta = getattr(route.endpoint, "__lms_api__", None)
        if meta is None:
            continue
        params = []
        for name, conv in _PARAM.findall(path):
            params.append({"name": name, "in": "path", "required": True,
                           "schema": {"type": "integer" if conv == "int" else "string"}})
        if meta.query is not None:
            qschema = meta.query.model_json_schema()
            required = set(qschema.get("required", []))
            for name, prop in qschema.get("properties", {}).items():
                params.append({"name": name, "in": "query", "required": name in required,
                               "schema": prop, "description": prop.get("description", "")})
        op: dict[str, Any] = {
            "operationId": route.name or route.endpoint.__name__,
            "summary": meta.summary,
            "description": meta.description
            + (f"\n\nPermission: `{meta.permission}`." if meta.permission else ""),
            "tags": list(meta.tags),
            "parameters": params,
            "responses": {},
        }
        if meta.body is not None:
            op["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _schema(meta.body, components)}}}
        ok: dict[str, Any] = {"description": "OK"}
        if meta.response is not None:
            ok["content"] = {"application/json": {"schema": _schema(meta.response, components)}}
        op["responses"][str(meta.status)] = ok
        problem = {"content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}}}
        errors = {422: "Invalid input", **meta.extra_responses}
        if not meta.anonymous:
            errors.update({401: "Not authenticated", 403: "Permission missing"})
        for code, text in sorted(errors.items()):
            op["responses"][str(code)] = {"description": text, **problem}
        if not meta.anonymous:
            op["security"] = [{"bearer": []}, {"session": []}]
        openapi_path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        paths.setdefault(openapi_path, {})[meta.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "LMS API", "version": version,
                 "description": "JSON API of the blended-learning LMS. Errors are RFC 9457."},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "lms_session"},
            },
        },
    }
