from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser


class ActiveAccountBackend(ModelBackend):
    """Django's backend, refusing suspended accounts as well as inactive ones.

    ``user_can_authenticate`` is consulted both at login (web form and the OAuth password
    grant, which calls ``authenticate``) and when a session is loaded, so a suspension also
    ends sessions that are already open.
    """

    def user_can_authenticate(self, user: AbstractBaseUser | None) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "suspended_at", None) is None
