"""tests/browser.py sees what a browser would trip over (the two defects of issue #20 that the
suite could not see while it posted dicts)."""

from tests.browser import audit_forms, fill, parse_forms

TOKEN = '<input type="hidden" name="csrfmiddlewaretoken" value="t0k3n">'


def test_a_form_whose_fields_attach_with_form_but_whose_token_does_not_is_reported():
    html = f"""<body>
      <form id="bulk" method="post" action="/bulk/"></form>
      {TOKEN}
      <input type="checkbox" name="students" value="1" form="bulk">
      <select name="status" form="bulk"><option value="done">Done</option></select>
      <button type="submit" form="bulk">Apply</button>
    </body>"""

    [problem] = audit_forms(html)

    assert "has no CSRF token" in problem
    [form] = parse_forms(html)[0]
    assert form.field_names() == {"students", "status"}


def test_a_token_attached_with_form_counts():
    html = f"""<form id="bulk" method="post" action="/bulk/"></form>
      {TOKEN.replace("<input", '<input form="bulk"')}
      <button type="submit" form="bulk">Apply</button>"""

    assert audit_forms(html) == []


def test_a_button_named_like_a_field_is_reported():
    html = f"""<form method="post">{TOKEN}
      <select name="quarter"><option value="3" selected>Q3</option></select>
      <button type="submit" name="quarter" value="1">Log the quarter</button></form>"""

    [problem] = audit_forms(html)

    assert "'quarter'" in problem and "overwrites" in problem


def test_the_pressed_button_comes_after_the_fields_so_its_value_wins_as_in_a_browser():
    html = f"""<form method="post">{TOKEN}
      <select name="quarter"><option value="3" selected>Q3</option></select>
      <button type="submit" name="quarter" value="1">Log the quarter</button></form>"""
    [form] = parse_forms(html)[0]

    data = fill(form, {})

    assert data["quarter"] == ["3"]  # the button is added by submit(), last


def test_htmx_forms_may_rely_on_the_token_in_the_body_headers():
    html = """<body hx-headers='{"X-CSRFToken": "abc"}'>
      <form hx-post="/cell/"><input name="grade"></form></body>"""

    assert audit_forms(html) == []
    assert audit_forms(html.replace("hx-headers", "data-x")) != []
