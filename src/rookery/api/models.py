from __future__ import annotations

from django.db import models


class ClientApp(models.Model):
    """What Mastodon's app registration records beyond DOT's Application: website and scopes.

    Keyed by ``client_id`` rather than a foreign key: DOT's Application is a swappable model,
    and a foreign key to it would make every ``makemigrations`` need an extra setting.
    Tokens are only ever granted scopes the app registered, as on Mastodon.
    """

    client_id = models.CharField(max_length=100, unique=True)
    website = models.URLField(max_length=2000, blank=True)
    scopes = models.CharField(max_length=2000, default="read")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.client_id
