"""The Meta app and account secrets are write-only in the admin."""

from __future__ import annotations

from django.test import Client

from contactpunt.channels.meta.models import MetaApp
from contactpunt.people.models import Role, User


def test_secrets_are_never_shown_and_an_empty_field_keeps_them(db: None) -> None:
    admin = User.objects.create_superuser(username="root", password="pw-root", role=Role.ADMIN)
    app = MetaApp.objects.create(name="Shop", app_id="42", app_secret="top-secret-1", verify_token="verify-me-2")
    client = Client()
    client.force_login(admin)
    url = f"/admin/channel_adapters/metaapp/{app.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "top-secret-1" not in html and "verify-me-2" not in html
    assert "/channels/meta/webhook/42/" in client.get("/admin/channel_adapters/metaapp/").content.decode()
    data = {"name": "Shop NL", "app_id": "42", "app_secret": "", "verify_token": "", "graph_url": app.graph_url,
            "graph_version": "v21.0", "is_active": "on"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    app.refresh_from_db()
    assert (app.name, app.app_secret, app.verify_token) == ("Shop NL", "top-secret-1", "verify-me-2")
    assert client.post(url, {**data, "app_secret": "new-secret"}).status_code == 302
    app.refresh_from_db()
    assert app.app_secret == "new-secret"
