"""Who the reports count, as SQL: an institution's active people (a membership of it), within
one unit and its sub-units and holding one position when asked. One definition for the
"% meeting standard" (``standard.py``) and the gap report (``needs.py``), so the two always
count the same people, and one test of "valid at a moment" for profile segments, the one
``profile.current_levels`` applies.

The membership is an ``EXISTS``, not a join: a person holding two roles is one person, with no
``DISTINCT`` over a million rows to pay for. The subtree is the units whose materialised path
starts with the top unit's (a handful of rows of ``lms_unit``), then the people of those units
through the index on ``lms_user.unit_id``: a unit's report reads that unit's people only.
"""

from __future__ import annotations


def condition(institution: str, path: str | None = None, position: str | None = None,
              alias: str = "u", ids: tuple[str, str] | None = None) -> str:
    """A WHERE condition on ``lms_user {alias}``; the arguments are placeholders (``$1``).
    ``ids``: only people with ``low <= id < high`` (a part of a statement split by id; not
    repeated on the membership, where it would make PostgreSQL expect far fewer people and
    give up the merge of people and segments)."""
    sql = (f"{alias}.is_active AND EXISTS (SELECT 1 FROM lms_membership m "
           f"WHERE m.user_id = {alias}.id AND m.institution_id = {institution})")
    if ids:
        sql += f" AND {alias}.id >= {ids[0]} AND {alias}.id < {ids[1]}"
    if path is not None:
        sql += (f" AND {alias}.unit_id IN (SELECT w.id FROM lms_unit w "
                f"WHERE w.institution_id = {institution} AND w.path LIKE {path})")
    if position is not None:
        sql += f" AND {alias}.job_position_id = {position}"
    return sql


def valid_at(moment: str, alias: str = "p") -> str:
    """Segment ``{alias}`` holds at ``moment``: ``valid_from <= moment < valid_until``."""
    return (f"{alias}.valid_from <= {moment} AND ({alias}.valid_until IS NULL "
            f"OR {alias}.valid_until > {moment})")


def subtree_pattern(path: str) -> str:
    """LIKE pattern of a unit's subtree (materialised paths hold digits and slashes only)."""
    return path + "%"
