"""Mail templates: a missing .html part is looked up once per app, not for every mail."""

from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader

from portal.core.mail import MISSING_TEMPLATES, send_mail
from portal.extensions import db

NAME = "test_only_hello"  # a mail no other test (or the app) uses


class CountingLoader(DictLoader):
    """Templates from a dict, counting the lookups of each name."""

    def __init__(self, mapping):
        super().__init__(mapping)
        self.lookups: dict[str, int] = {}

    def get_source(self, environment, template):
        self.lookups[template] = self.lookups.get(template, 0) + 1
        return super().get_source(environment, template)


@pytest.fixture
def templates(app, monkeypatch):
    """A loader in front of the app's own, holding the test mail's text part."""
    loader = CountingLoader({f"mail/{NAME}.txt": "Hello {{ who }}"})
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([loader, app.jinja_env.loader]))
    yield loader
    app.extensions.get(MISSING_TEMPLATES, set()).discard(f"mail/{NAME}.html")
    app.jinja_env.cache.clear()


def _send_and_read(outbox) -> tuple[str, str | None]:
    send_mail("pat@example.com", "Hello", NAME, who="Pat")
    db.session.commit()
    message = outbox()[-1]
    html = message.get_body(preferencelist=("html",))
    text = message.get_body(preferencelist=("plain",)).get_content()
    return text.strip(), html and html.get_content().strip()


def test_a_missing_html_part_is_looked_up_once(app, templates, outbox):
    """Is a mail with no .html template sent text only, the lookup made for the first
    mail and not again (even once the template appears, outside debug)?"""
    assert not app.jinja_env.auto_reload
    assert _send_and_read(outbox) == ("Hello Pat", None)
    assert _send_and_read(outbox) == ("Hello Pat", None)
    assert templates.lookups[f"mail/{NAME}.html"] == 1
    templates.mapping[f"mail/{NAME}.html"] = "<p>Hello {{ who }}</p>"
    assert _send_and_read(outbox) == ("Hello Pat", None)
    assert templates.lookups[f"mail/{NAME}.html"] == 1


def test_with_templates_auto_reloading_a_new_html_part_is_used_at_once(
    app, templates, outbox, monkeypatch
):
    """In debug (templates auto-reload), is a template added meanwhile used for the next mail?"""
    monkeypatch.setattr(app.jinja_env, "auto_reload", True)
    assert _send_and_read(outbox) == ("Hello Pat", None)
    templates.mapping[f"mail/{NAME}.html"] = "<p>Hello {{ who }}</p>"
    assert _send_and_read(outbox) == ("Hello Pat", "<p>Hello Pat</p>")


def test_an_html_part_that_exists_is_sent(app, templates, outbox):
    templates.mapping[f"mail/{NAME}.html"] = "<p>Hello {{ who }}</p>"
    assert _send_and_read(outbox) == ("Hello Pat", "<p>Hello Pat</p>")
    assert _send_and_read(outbox) == ("Hello Pat", "<p>Hello Pat</p>")
