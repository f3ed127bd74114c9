"""The named values of the authorisation helpers, as ``str`` enums: pass a member or its plain
string (case-insensitive) wherever an application type or a user scope is expected."""

from __future__ import annotations

from enum import Enum

__all__ = ["ApplicationType", "UserScope"]


class ApplicationType(str, Enum):
    """The kinds of merchant applications a batch or console authorisation link covers."""

    MOBILEAPP = "MOBILEAPP"
    """A mobile app."""
    WEBAPP = "WEBAPP"
    """A web site."""
    PUBLICAPP = "PUBLICAPP"
    """A life account (生活号)."""
    TINYAPP = "TINYAPP"
    """A mini-program."""
    ARAPP = "ARAPP"
    """An AR app."""
    BASEAPP = "BASEAPP"
    """A basic app."""

    def __str__(self) -> str:
        return self.value


class UserScope(str, Enum):
    """The scopes a user can grant on the consent page."""

    AUTH_BASE = "auth_base"
    """Silent: the user id only."""
    AUTH_USER = "auth_user"
    """The user's profile (``alipay.user.info.share``)."""

    def __str__(self) -> str:
        return self.value
