"""Following merged cases to the case they went into (a merge may itself be merged again)."""

from __future__ import annotations

from collections.abc import Iterable

from contactpunt.contacts.models import Case

# A chain longer than this is a loop someone wrote by hand; stop where it got to.
MAX_HOPS = 10


def final_case_ids(case_ids: Iterable[int]) -> dict[int, int]:
    """Map each case id to the case its merges lead to (itself when it was not merged); one query a hop."""
    final = {pk: pk for pk in case_ids}
    pending = set(final)
    for _ in range(MAX_HOPS):
        if not pending:
            break
        merged = Case.objects.filter(pk__in=pending, merged_into__isnull=False)
        step: dict[int, int] = {pk: into for pk, into in merged.values_list("pk", "merged_into_id") if into}
        for start, current in final.items():
            if current in step:
                final[start] = step[current]
        pending = set(step.values())
    return final


def follow_merges(case: Case | None) -> Case | None:
    """Return the case a merged case went into (itself when it was not merged)."""
    if case is None or case.merged_into_id is None:
        return case
    final = final_case_ids([case.merged_into_id])[case.merged_into_id]
    return Case.objects.get(pk=final)
