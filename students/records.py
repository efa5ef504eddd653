"""What other apps keep about a student, reached without importing them.

Students sit below activities: a student's nominations, placements and the lessons given to their
class live in `activities`, which may import `students` but not the other way round. So an app that
keeps records about students registers them here, in its `apps.py`, and the student's page, the
export of everything stored and erasure reach them through this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass

from students.models import Enrolment, Student


@dataclass(frozen=True)
class StudentRecords:
    """One app's records about students.

    - `page(student, enrolments)`: the page's extra context (each list evaluated) and its
      timeline entries (`date`, `text`; `own` for what is the student's own and shown even
      before their first enrolment);
    - `export(student)`: the export's sections, in order (plain data);
    - `anonymise(student)`: remove everything identifying (notes, messages, the audit trail),
      keeping what anonymous counts need; inside the erasure's transaction;
    - `kept(student)`: what stays, counted, for the page that asks before erasing.
    """

    page: Callable[[Student, list[Enrolment]], tuple[dict, list[dict]]]
    export: Callable[[Student], dict]
    anonymise: Callable[[Student], None]
    kept: Callable[[Student], dict[str, int]]


_REGISTERED: list[StudentRecords] = []


def register(records: StudentRecords) -> None:
    """Called once from an app's `ready()`."""
    if records not in _REGISTERED:
        _REGISTERED.append(records)


def registered() -> tuple[StudentRecords, ...]:
    return tuple(_REGISTERED)
