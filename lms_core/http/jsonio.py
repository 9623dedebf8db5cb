"""JSON encoding that keeps Vietnamese readable (no \\u escapes) and knows dates and enums."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from starlette.responses import JSONResponse


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=_default, separators=(",", ":")).encode()


class JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)
