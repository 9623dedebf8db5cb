"""JSON endpoints under ``/api/v1/hello``. Every query is scoped to the caller's institution:
a user of one institution never sees another's rows."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api
from lms_hello.models import Greeting


class GreetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: str = Field(min_length=1, max_length=500)


async def my_greetings(principal: Principal, limit: int = 50) -> list[dict[str, Any]]:
    return await (Greeting.filter(institution_id=principal.institution_id,
                                  user_id=principal.user_id)
                  .order_by("-id").limit(limit).values("id", "message", "created_at"))


@api("GET", permission="hello.greet", summary="My greetings, newest first", tags=("hello",))
async def list_greetings(request: Request, principal: Principal) -> dict[str, Any]:
    return {"items": await my_greetings(principal)}


@api("POST", permission="hello.greet", body=GreetingIn, status=201,
     summary="Leave myself a greeting", tags=("hello",))
async def create_greeting(request: Request, principal: Principal,
                          body: GreetingIn) -> dict[str, Any]:
    greeting = await Greeting.create(institution_id=principal.institution_id,
                                     user_id=principal.user_id, message=body.message)
    return {"id": greeting.id, "message": greeting.message, "created_at": greeting.created_at}
