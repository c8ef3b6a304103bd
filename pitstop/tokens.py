"""API token authentication at a kiosk's pace: DRF's token look-up (the token
and its user in one query) on every request, so a deleted token or a
deactivated user stops at once; the user's permissions and group names, which
took three more queries a request, cached per token in the process for
GRANTS_TTL_SECONDS. A permission or group taken away therefore still works for
at most that long in a worker that cached it (docs/performance.md)."""

import threading
import time
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from rest_framework.authentication import TokenAuthentication

GRANTS_TTL_SECONDS = 60.0
MAX_CACHED_TOKENS = 10_000  # far above a store's devices: a bound, not a tuning


@dataclass(frozen=True)
class Grants:
    user_id: int
    permissions: frozenset[str]
    groups: frozenset[str]
    expires: float  # time.monotonic()


_grants: dict[str, Grants] = {}
_lock = threading.Lock()  # gthread workers share the dict


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        now = time.monotonic()
        grants = _grants.get(key)
        if grants is None or grants.expires <= now or grants.user_id != user.pk:
            grants = Grants(
                user_id=user.pk,
                permissions=frozenset(user.get_all_permissions()),
                groups=frozenset(user.groups.values_list("name", flat=True)),
                expires=now + GRANTS_TTL_SECONDS,
            )
            with _lock:
                if len(_grants) >= MAX_CACHED_TOKENS:
                    _grants.clear()
                _grants[key] = grants
        # Django's ModelBackend answers has_perm from this attribute when set
        # (it caches there itself, per user object); group names are ours.
        user._perm_cache = set(grants.permissions)
        user._pitstop_groups = grants.groups
        return user, token


def in_group(user: AbstractBaseUser, name: str) -> bool:
    """Whether the user is in the group: from the token's cached grants when
    the request came with a token, else one query."""
    cached = getattr(user, "_pitstop_groups", None)
    if cached is not None:
        return name in cached
    return user.is_authenticated and user.groups.filter(name=name).exists()


def grants_forget() -> None:
    """Drop every cached grant in this process (tests)."""
    with _lock:
        _grants.clear()
