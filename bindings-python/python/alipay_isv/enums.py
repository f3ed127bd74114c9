"""The named values of the authorisation helpers and the registry, as ``str`` enums: pass a
member or its plain string (case-insensitive) wherever an application type or a user scope is
expected; the registry's outcomes and statuses compare equal to their plain strings too."""

from __future__ import annotations

from enum import Enum

__all__ = ["ApplicationType", "AuthOrigin", "AuthStatus", "IngestOutcome", "UserScope"]


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


class IngestOutcome(str, Enum):
    """What one ingestion into a :class:`alipay_isv.Registry` did."""

    APPLIED = "applied"
    """The registry changed."""
    DUPLICATE = "duplicate"
    """A notification already ingested (Alipay retries), or a token already imported: nothing
    changed."""
    STALE = "stale"
    """Older than what is stored (a late message, a query about a previous token): nothing
    changed."""
    IGNORED = "ignored"
    """Not about a stored merchant authorisation (another notification type, an unknown
    merchant's cancellation): nothing changed."""

    def __str__(self) -> str:
        return self.value


class AuthStatus(str, Enum):
    """Whether a stored merchant authorisation can be used."""

    ACTIVE = "active"
    """Usable (refreshed when it nears expiry)."""
    REVOKED = "revoked"
    """The merchant revoked it (or the gateway reported it invalid): kept, never used."""

    def __str__(self) -> str:
        return self.value


class AuthOrigin(str, Enum):
    """How a stored merchant authorisation reached the registry."""

    AUTHORISED = "authorised"
    """The merchant authorised through a link (the code exchange or the authorisation
    notification), and its refreshes."""
    IMPORTED = "imported"
    """A token copied from the open-platform console (:meth:`alipay_isv.Registry.import_token`),
    and its refreshes."""

    def __str__(self) -> str:
        return self.value
