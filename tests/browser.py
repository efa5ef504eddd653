"""Submitting forms the way a browser does, in the Django test client.

A browser can only send what a page gave it: the fields of the form (with the values the page
filled in), the CSRF token inside that form, and the name and value of the button that was
pressed, after the fields, so that a button sharing a field's name wins. `submit()` reads the page,
finds the form, fills it in like a person and posts exactly that. A form without its token gets
403, a field the page lacks fails the test, and a button that overwrites a field shows up as the
wrong value reaching the view.

An element other than a form with `hx-post` (a cell of the progress grid) is read as htmx sends
it: its own controls and the values of its `hx-vals`, with the token from `hx-headers` on <body>.
`submit(..., htmx=True)` prefers such an element; without htmx only real forms are sent.

`audit_forms()` lists what is wrong with a page's POST forms without submitting them (the suite
runs it on every page every persona reaches: tests/test_authz_matrix.py,
test_every_form_a_persona_reaches_can_be_sent_by_a_browser).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client

TOKEN = "csrfmiddlewaretoken"


class BrowserClient(Client):
    """The test client with CSRF checks on, as every browser request meets them."""

    def __init__(self, **defaults):
        super().__init__(enforce_csrf_checks=True, **defaults)

    def post_with_cookie_token(self, path, data=None, **extra):
        """POST with the token of the CSRF cookie in the X-CSRFToken header, as htmx sends it
        from `hx-headers`; the cookie exists only once a page rendered a token."""
        token = self.cookies.get("csrftoken")
        assert token is not None, f"no page gave a CSRF token before the POST to {path}"
        return refused_for_csrf(
            self.post(path, data or {}, headers={"X-CSRFToken": token.value}, **extra)
        )


def refused_for_csrf(response):
    """The response, unless CSRF protection refused the request that was meant to pass it."""
    names = {template.name for template in response.templates or ()}
    assert "403_csrf.html" not in names, (
        f"{response.request['PATH_INFO']}: refused for CSRF ({response.context['reason']})"
    )
    return response


@dataclass
class Control:
    tag: str  # input, select, textarea, button
    attrs: dict[str, str]
    options: list[tuple[str, bool, bool]] = field(default_factory=list)  # value, selected, disabled
    text: str = ""

    @property
    def name(self) -> str:
        return self.attrs.get("name", "")

    @property
    def kind(self) -> str:
        if self.tag == "input":
            return self.attrs.get("type", "text").lower()
        if self.tag == "button":
            return self.attrs.get("type", "submit").lower()
        return self.tag

    @property
    def disabled(self) -> bool:
        return "disabled" in self.attrs

    @property
    def is_submit(self) -> bool:
        return (self.tag == "button" and self.kind == "submit") or (
            self.tag == "input" and self.kind in {"submit", "image"}
        )

    @property
    def label(self) -> str:
        if self.tag == "input":
            return self.attrs.get("value", "")
        return " ".join(self.text.split())

    def default_values(self) -> list[str]:
        if self.disabled or not self.name or self.is_submit or self.kind in {"reset", "button"}:
            return []
        if self.kind in {"checkbox", "radio"}:
            return [self.attrs.get("value", "on")] if "checked" in self.attrs else []
        if self.kind == "file":
            return []
        if self.tag == "select":
            chosen = [value for value, selected, _ in self.options if selected]
            if chosen or "multiple" in self.attrs:
                return chosen if "multiple" in self.attrs else chosen[-1:]
            enabled = [value for value, _, disabled in self.options if not disabled]
            return enabled[:1]
        if self.tag == "textarea":
            # A browser drops the one newline that directly follows <textarea>.
            return [self.text[1:] if self.text.startswith("\n") else self.text]
        return [self.attrs.get("value", "")]


@dataclass
class Form:
    attrs: dict[str, str]
    controls: list[Control] = field(default_factory=list)
    tag: str = "form"  # another tag: an element htmx posts from (hx-post), not a form

    @property
    def is_htmx_element(self) -> bool:
        return self.tag != "form"

    @property
    def id(self) -> str:
        return self.attrs.get("id", "")

    @property
    def method(self) -> str:
        return self.attrs.get("method", "get").lower()

    @property
    def is_post(self) -> bool:
        return self.method == "post" or "hx-post" in self.attrs

    def action(self, page_url: str) -> str:
        target = self.attrs.get("hx-post") or self.attrs.get("action") or page_url
        return (
            urlsplit(urljoin("http://testserver" + page_url, target))
            ._replace(scheme="", netloc="")
            .geturl()
        )

    @property
    def buttons(self) -> list[Control]:
        return [control for control in self.controls if control.is_submit]

    @property
    def token(self) -> str | None:
        for control in self.controls:
            if control.name == TOKEN and control.kind == "hidden":
                return control.attrs.get("value")
        return None

    def field_names(self) -> set[str]:
        return {c.name for c in self.controls if c.name and not c.is_submit}

    def describe(self) -> str:
        labels = ", ".join(repr(button.label) for button in self.buttons) or "no button"
        target = self.attrs.get("action") or self.attrs.get("hx-post") or ""
        return f"<{self.tag} {target}> ({labels})"


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.loose: list[Control] = []  # controls outside any form (they may name one with form=)
        self.body_attrs: dict[str, str] = {}
        self._form: Form | None = None
        self._htmx: list[list] = []  # open elements with hx-post: [Form, depth of their tag]
        self._open: Control | None = None  # select, textarea or button being read
        self._option: list | None = None

    def _add(self, control: Control) -> None:
        for element, _depth in self._htmx:
            element.controls.append(control)
        if self._form is not None and "form" not in control.attrs:
            self._form.controls.append(control)
        else:
            self.loose.append(control)

    def handle_starttag(self, tag, attrs):
        attributes = {key: value if value is not None else "" for key, value in attrs}
        for element in self._htmx:
            if element[0].tag == tag:
                element[1] += 1
        if tag != "form" and "hx-post" in attributes:
            self._open_htmx_element(tag, attributes)
        if tag == "body":
            self.body_attrs = attributes
        elif tag == "form":
            self._form = Form(attributes)
            self.forms.append(self._form)
        elif tag == "input":
            self._add(Control("input", attributes))
            # An input has no end tag: an input with hx-post sends itself.
            self._htmx = [element for element in self._htmx if element[0].tag != "input"]
        elif tag in {"select", "textarea", "button"}:
            self._open = Control(tag, attributes)
            self._add(self._open)
        elif tag == "option" and self._open is not None and self._open.tag == "select":
            self._close_option()  # the previous option's end tag may be left out
            self._option = [
                attributes.get("value"),
                "selected" in attributes,
                "disabled" in attributes,
                "",
            ]
            self._open.options.append(("", False, False))

    def _open_htmx_element(self, tag, attributes):
        element = Form(attributes, tag=tag)
        self.forms.append(element)
        try:
            values = json.loads(attributes.get("hx-vals") or "{}")
        except ValueError:
            values = {}
        for name, value in values.items():
            element.controls.append(
                Control("input", {"type": "hidden", "name": name, "value": str(value)})
            )
        self._htmx.append([element, 1])

    def handle_endtag(self, tag):
        for element in self._htmx:
            if element[0].tag == tag:
                element[1] -= 1
        self._htmx = [element for element in self._htmx if element[1] > 0]
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._close_option()
        elif self._open is not None and tag == self._open.tag:
            self._close_option()
            self._open = None

    def _close_option(self):
        if self._option is not None and self._open is not None:
            value, selected, disabled, text = self._option
            self._open.options[-1] = (
                value if value is not None else text.strip(),
                selected,
                disabled,
            )
            self._option = None

    def handle_data(self, data):
        if self._option is not None:
            self._option[3] += data
        elif self._open is not None:
            self._open.text += data


def parse_forms(html: str) -> tuple[list[Form], dict[str, str]]:
    """Every form of the page with its controls (those attached with form= included), and the
    attributes of <body> (where htmx's hx-headers carry the token)."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    by_id = {form.id: form for form in parser.forms if form.id}
    for control in parser.loose:
        owner = by_id.get(control.attrs.get("form", ""))
        if owner is not None:
            owner.controls.append(control)
    return parser.forms, parser.body_attrs


def htmx_token(body_attrs: dict[str, str]) -> str | None:
    headers = body_attrs.get("hx-headers")
    if not headers:
        return None
    try:
        return json.loads(headers).get("X-CSRFToken")
    except ValueError:
        return None


def audit_forms(html: str) -> list[str]:
    """What a browser would trip over in the page's POST forms: no CSRF token it can send, or a
    button whose name overwrites one of the form's fields."""
    forms, body = parse_forms(html)
    problems = []
    for form in forms:
        if not form.is_post:
            continue
        has_htmx_token = "hx-post" in form.attrs and htmx_token(body)
        if not form.token and not has_htmx_token:
            problems.append(f"{form.describe()} has no CSRF token")
        fields = form.field_names()
        for button in form.buttons:
            if button.name and button.name in fields:
                problems.append(
                    f"{form.describe()}: the button {button.label!r} is named {button.name!r}, "
                    "like a field of the form, and its value overwrites the field's"
                )
    return problems


def _matches(button: Control, wanted: str) -> bool:
    """A button is named by its label (part of it), its value or its name."""
    return wanted.casefold() in button.label.casefold() or wanted in (
        button.attrs.get("value"),
        button.name,
    )


def find_form(
    forms: list[Form],
    *,
    button: str | None,
    action: str | None,
    page_url: str,
    htmx: bool = False,
):
    candidates = [form for form in forms if form.is_post]
    if action is not None:
        candidates = [form for form in candidates if form.action(page_url) == action]
    if button is not None:
        candidates = [f for f in candidates if any(_matches(b, button) for b in f.buttons)]
    # htmx sends from an element with hx-post; a browser without it only sends forms.
    elements = [form for form in candidates if form.is_htmx_element]
    candidates = (elements if htmx else []) or [f for f in candidates if not f.is_htmx_element]
    assert candidates, (
        f"no POST form on {page_url} with button={button!r} action={action!r}; the page has: "
        + "; ".join(form.describe() for form in forms if form.is_post)
    )
    if len(candidates) > 1:
        # The logout and language forms of the header come first on every page; the page's own
        # forms follow them, and the first of those is the one meant when nothing else is said.
        own = [f for f in candidates if f.attrs.get("action") not in HEADER_ACTIONS]
        candidates = own or candidates
    return candidates[0]


HEADER_ACTIONS = {"/accounts/logout/", "/i18n/setlang/", "/admin/logout/"}


def fill(form: Form, values: dict, *, strict: bool = True) -> dict[str, list]:
    """The form's own values with the person's changes; only fields the form has, and for a
    select only the options it offers (strict=False lets an attack test send anything)."""
    data: dict[str, list] = {}
    for control in form.controls:
        for value in control.default_values():
            data.setdefault(control.name, []).append(value)
    controls = {c.name: c for c in form.controls if c.name and not c.is_submit}
    for name, value in values.items():
        values_list = list(value) if isinstance(value, list | tuple) else [value]
        control = controls.get(name)
        if strict:
            assert control is not None, f"{form.describe()} has no field {name!r}"
            assert not control.disabled, f"{form.describe()}: {name!r} is disabled"
            if control.tag == "select":
                offered = {v for v, _, disabled in control.options if not disabled}
                for item in values_list:
                    assert str(item) in offered, (
                        f"{form.describe()}: {name!r} offers no option {item!r}"
                    )
            if control.kind in {"checkbox", "radio"}:
                offered = {
                    c.attrs.get("value", "on")
                    for c in form.controls
                    if c.name == name and not c.disabled
                }
                for item in values_list:
                    assert str(item) in offered, f"{form.describe()}: {name!r} has no box {item!r}"
            if control.kind == "hidden" and name != TOKEN:
                assert [str(v) for v in values_list] == data.get(name), (
                    f"{form.describe()}: {name!r} is hidden; a person cannot change it"
                )
        if control is not None and control.kind == "file":
            data[name] = values_list
            continue
        data[name] = [v if hasattr(v, "read") else str(v) for v in values_list]
    return data


def submit(
    client: Client,
    page_url: str,
    values: dict | None = None,
    *,
    button: str | None = None,
    action: str | None = None,
    htmx: bool = False,
    strict: bool = True,
    follow: bool = False,
    page=None,
):
    """Open `page_url` (or use the response `page` already fetched), fill in the POST form
    that has `button` (a label or value) or posts to `action`, press that button and return the
    answer. With htmx=True the request is sent as htmx sends it (HX-Request, the body's token)."""
    if page is None:
        page = client.get(page_url)
        assert page.status_code == 200, f"{page_url} answered {page.status_code}"
    forms, body = parse_forms(page.content.decode())
    form = find_form(forms, button=button, action=action, page_url=page_url, htmx=htmx)
    data = fill(form, values or {}, strict=strict)
    pressed = next((b for b in form.buttons if button is None or _matches(b, button)), None)
    if pressed is not None and pressed.name:
        data.setdefault(pressed.name, []).append(pressed.attrs.get("value", ""))
    target = pressed.attrs.get("formaction") if pressed is not None else None
    headers = {}
    if htmx:
        headers["HX-Request"] = "true"
        token = htmx_token(body)
        if token and TOKEN not in data:
            headers["X-CSRFToken"] = token
    return refused_for_csrf(
        client.post(
            target or form.action(page_url),
            {name: items if len(items) != 1 else items[0] for name, items in data.items()},
            headers=headers,
            follow=follow,
        )
    )
