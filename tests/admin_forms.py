"""What a browser posts back from a rendered admin change page."""

from __future__ import annotations

from typing import Any


def form_data(response: Any) -> dict[str, Any]:
    """What the change page would post back unchanged: the form and every inline."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name in form.fields:
            if form.fields[name].disabled:
                continue
            value = form[name].value()
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data
