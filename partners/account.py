"""The parts of a person's account page that other apps own.

partners owns the page (name, language, e-mail, password, second factor); an app higher up that
keeps something personal (the calendar address, the reminder choices) adds a section from its
`apps.py`, so partners never imports it. A section is a template and a function that builds its
context for the request, or answers None when the person has no such thing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class AccountSection:
    key: str
    template_name: str
    context: Callable[[HttpRequest], dict | None]
    order: int = 100


_sections: dict[str, AccountSection] = {}


def register_section(section: AccountSection) -> None:
    """Add (or replace, by key) a section of the account page."""
    _sections[section.key] = section


def sections_for(request: HttpRequest) -> list[dict]:
    """The sections this person sees, in order: each its template and the data it shows (the
    template reads it as `section`)."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        data = section.context(request)
        if data is not None:
            shown.append({"key": section.key, "template": section.template_name, "data": data})
    return shown
