"""docs/plugins.md documents every hook with its exact signature, and no hook that does not exist
(datasette's idea): a hook added, renamed or given a new argument without its documentation
fails here, so plugin authors never read a stale reference."""

from __future__ import annotations

import inspect
import re

from conftest import ROOT
from lms_core import hookspecs
from lms_core.plugin_api import PROJECT_NAME

DOC = ROOT / "docs" / "plugins.md"

#: A heading that documents a hook: ``#### `lms_event_class_ended(klass, actor)` ``.
HEADING = re.compile(r"^#+\s+`(lms_\w+)\(([^)]*)\)`\s*$", re.MULTILINE)
#: Any mention of a hook-like name, documented or not.
MENTION = re.compile(r"\blms_(?:(?:register|filter|event)_[a-z_]*[a-z]|startup|shutdown)\b")


def spec_signatures() -> dict[str, str]:
    out = {}
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if getattr(fn, f"{PROJECT_NAME}_spec", None) is not None:
            out[name] = f"{name}({', '.join(inspect.signature(fn).parameters)})"
    return out


def documented() -> dict[str, str]:
    return {m[1]: f"{m[1]}({m[2]})" for m in HEADING.finditer(DOC.read_text(encoding="utf-8"))}


def test_hookspecs_are_found():
    specs = spec_signatures()
    assert "lms_event_enrolment_changed" in specs
    assert specs["lms_event_enrolment_changed"] == (
        "lms_event_enrolment_changed(enrolment, old_status, new_status, actor, runtime)")


def test_every_hook_is_documented_with_its_exact_signature():
    docs = documented()
    problems = []
    for name, signature in sorted(spec_signatures().items()):
        if name not in docs:
            problems.append(f"{name} has no heading in docs/plugins.md: add `{signature}`")
        elif docs[name] != signature:
            problems.append(f"docs/plugins.md shows `{docs[name]}`, hookspecs has `{signature}`")
    assert not problems, "\n".join(problems)


def test_docs_describe_no_hook_that_does_not_exist():
    specs = spec_signatures()
    text = DOC.read_text(encoding="utf-8")
    headings = sorted(set(documented()) - set(specs))
    mentions = sorted(set(MENTION.findall(text)) - set(specs))
    assert not headings, f"docs/plugins.md documents hooks that do not exist: {headings}"
    assert not mentions, f"docs/plugins.md mentions hooks that do not exist: {mentions}"
