"""Documents of the repository that the app shows as pages (docs/figures.md: how every figure is
counted): Markdown written by us, rendered without raw HTML, in the reader's language where a
translation stands beside it (docs/figures.nl.md)."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from markdown_it import MarkdownIt

DOCS = Path(settings.BASE_DIR) / "docs"

# CommonMark with tables; raw HTML in a document is written out as text, never passed through.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Document:
    title: str
    body: SafeString


def _source(name: str) -> Path:
    """docs/<name>.<language>.md where a translation exists, else docs/<name>.md (English)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    translated = DOCS / f"{name}.{language}.md"
    return translated if translated.exists() else DOCS / f"{name}.md"


def document(name: str) -> Document:
    """The document, its first-level heading as the title and the rest as HTML."""
    text = _source(name).read_text(encoding="utf-8")
    first, _newline, rest = text.partition("\n")
    if not first.startswith("# "):
        raise ValueError(f"docs/{name}: the first line is not a title")
    return Document(title=first[2:].strip(), body=mark_safe(_MARKDOWN.render(rest)))  # noqa: S308
