"""Reading figures off a page for the property test of the figures (test_figures_agree): the
`data-figure` hooks the templates carry, numbers as a Dutch page writes them, and a collector of
every disagreement of one example."""

import re
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser

# Reading pages ---------------------------------------------------------------------------------

VOID = {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"}
NUMBER = re.compile(r"-?\d[\d.]*(?:,\d+)?")
EURO = re.compile(r"€\s*(-?\d[\d.]*(?:,\d+)?)")


def number(text: str | None) -> Decimal | None:
    """A number as a Dutch page writes it ("€ 1.234", "46,7", "33%"); "< 5" and a dash are
    None (not shown)."""
    if text is None:
        return None
    found = NUMBER.search(text.replace("\xa0", " "))
    if found is None or "< 5" in text:
        return None
    return Decimal(found.group().replace(".", "").replace(",", "."))


def numbers(text: str, pattern=NUMBER) -> Counter:
    return Counter(
        Decimal(m.replace(".", "").replace(",", "."))
        for m in pattern.findall(text.replace("\xa0", " "))
    )


class Figures(HTMLParser):
    """A page's figures: `data-figure` elements (name → text), `data-figures` sentences (names →
    text), rule checks (`data-check` → light) and chart tables (`data-chart` → body rows)."""

    def __init__(self, html: str):
        super().__init__()
        self.one: dict[str, str] = {}
        self.sentences: dict[str, str] = {}
        self.lights: dict[int, str] = {}
        self.charts: dict[str, list[list[str]]] = {}
        # Open elements: (tag, what their text is captured for, the text so far).
        self._open: list[tuple[str, list[list]]] = []
        self._chart: str | None = None
        self._in_body = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-check" in attrs:
            self.lights[int(attrs["data-check"])] = attrs.get("data-light", "")
        if tag in VOID:
            return
        captures = []
        if "data-figure" in attrs:
            captures.append(["one", attrs["data-figure"], ""])
        if "data-figures" in attrs:
            captures.append(["sentence", attrs["data-figures"], ""])
        if "data-chart" in attrs:
            self._chart = attrs["data-chart"]
            self.charts[self._chart] = []
        if self._chart is not None:
            if tag == "tbody":
                self._in_body = True
            elif tag == "tr" and self._in_body:
                self.charts[self._chart].append([])
            elif tag in ("td", "th") and self._in_body:
                captures.append(["cell", None, ""])
        self._open.append((tag, captures))

    def handle_data(self, data):
        for _tag, captures in self._open:
            for capture in captures:
                capture[2] += data

    def handle_endtag(self, tag):
        if tag in VOID or not any(opened == tag for opened, _c in self._open):
            return
        while self._open:
            opened, captures = self._open.pop()
            for kind, name, text in captures:
                text = " ".join(text.split())
                if kind == "one":
                    self.one[name] = text
                elif kind == "sentence":
                    self.sentences[name] = text
                elif kind == "cell" and self._chart is not None:
                    self.charts[self._chart][-1].append(text)
            if opened == "tbody":
                self._in_body = False
            if opened == "table":
                self._chart = None
            if opened == tag:
                return

    def chart_rows(self) -> dict[str, list[str]]:
        """Every chart table's body rows, by their first cell (the label)."""
        return {row[0]: row[1:] for rows in self.charts.values() for row in rows if row}


class Agreement:
    """Every disagreement of one example, each with where it was seen."""

    def __init__(self):
        self.wrong: list[str] = []

    def same(self, where: str, shown, expected) -> None:
        if shown != expected:
            self.wrong.append(f"{where}: shows {shown}, expected {expected}")

    def figure(self, page: Figures, where: str, name: str, expected) -> None:
        if name not in page.one:
            self.wrong.append(f"{where} {name}: not on the page")
            return
        self.same(f"{where} {name} ({page.one[name]!r})", number(page.one[name]), expected)

    def sentence(self, page: Figures, where: str, name: str, expected: list, pattern=EURO):
        if name not in page.sentences:
            self.wrong.append(f"{where} {name}: not on the page")
            return
        text = page.sentences[name]
        self.same(
            f"{where} {name} ({text!r})", numbers(text, pattern), Counter(map(Decimal, expected))
        )

    def truth(self, where: str, holds: bool, detail: str = "") -> None:
        if not holds:
            self.wrong.append(f"{where}{': ' + detail if detail else ''}")
