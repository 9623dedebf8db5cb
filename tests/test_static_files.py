"""Stylesheets are well formed: an unclosed block (a merge that lost a ``}``) silently drops
every rule after it, which no page test notices."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

STYLESHEETS = sorted([*ROOT.glob("frontend/static/**/*.css"), *ROOT.glob("plugins/*/static/**/*.css")])


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_is_closed(path):
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', text)
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{path.name}:{number} closes a block never opened"
    assert depth == 0, f"{path.name}: {depth} block(s) left open"


def test_stylesheets_are_found():
    assert len(STYLESHEETS) >= 4
