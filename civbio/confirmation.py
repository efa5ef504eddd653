"""The step before an irreversible or far-reaching action: a page that says what will happen to
whom and asks for a confirmation (and, where others are affected, a reason).

It works without JavaScript: the action's address answers a GET, and any POST that does not come
from the confirmation page's own button, with the confirmation page; only that button acts.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def confirmed(request) -> bool:
    """Whether this request is the confirmation page's own button being pressed."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def act_when_confirmed(request, form, act, *, success: str, then):
    """The confirmation page's button was pressed with a valid form: run `act(reason)` (a
    service call), then redirect to `then` with `success` as the message. A refusal by the
    service goes on the form. Returns None when the page is to be shown (again)."""
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        act(form.cleaned_data["reason"])
    except ValidationError as error:
        form.add_error(None, error.messages)
        return None
    messages.success(request, success)
    return redirect(then)


def back_url(request, default: str) -> str:
    """Where the page goes back to, and the action goes on to: the page it was opened from (its
    `next`, else the referring page of this site), or `default`."""
    for candidate in (
        request.POST.get("next"),
        request.GET.get("next"),
        request.META.get("HTTP_REFERER"),
    ):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            # Only this site's path goes on: a bare word would be taken for a view's name by
            # redirect(), and a scheme or host is never needed.
            parts = urlsplit(candidate)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith("/") and not path.startswith("//"):
                return path
    return default


def confirmation_page(
    request,
    *,
    heading: str,
    lines: list[str],
    action: str,
    confirm_label: str,
    back: str,
    back_label: str,
    form=None,
    hidden=(),
    warning: str = "",
    tone: str = "danger",
):
    """Render the confirmation: `lines` say what will happen, `warning` what can never be taken
    back, `form` takes the reason; `tone` is "danger", or "primary" for a way back. A form sent
    back with errors answers 400."""
    context = {
        "heading": heading,
        "lines": lines,
        "action": action,
        "confirm_label": confirm_label,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
        "back_url": back,
        "back_label": back_label,
        "form": form,
        "hidden": [("next", back), *hidden],
        "warning": warning,
        "tone": tone,
    }
    template = "partials/confirm.html" if getattr(request, "htmx", False) else "confirm.html"
    status = 400 if form is not None and form.is_bound else 200
    return render(request, template, context, status=status)
