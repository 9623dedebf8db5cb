"""Fixtures shared by the plugin tests."""

from __future__ import annotations

from typing import Any

import pytest

from .quiz_setup import make_quiz_world


@pytest.fixture
async def quiz_world(world) -> dict[str, Any]:
    """A bank category with a single-choice, a true/false and a short-answer question, and a
    graded quiz module of the three (pass mark 60 %) in course "a"."""
    return await make_quiz_world(world)
