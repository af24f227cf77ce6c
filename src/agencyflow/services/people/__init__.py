"""People: users and roles, passwords, browser sessions, API tokens, and role-checked access."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "AUDIT_PAGE": ("access", "AUDIT_PAGE"),
    "Current": ("sessions", "Current"),
    "SessionPolicy": ("sessions", "SessionPolicy"),
    "USER_ROLES": ("users", "USER_ROLES"),
    "actor_for": ("users", "actor_for"),
    "add_user": ("users", "add_user"),
    "audit_events": ("access", "audit_events"),
    "audit_export": ("access", "audit_export"),
    "audit_export_stream": ("access", "audit_export_stream"),
    "audit_verify": ("access", "audit_verify"),
    "authenticate_token": ("users", "authenticate_token"),
    "create_token": ("users", "create_token"),
    "dbapi_has_users": ("token_check", "has_users"),
    "dbapi_token_actor": ("token_check", "token_actor"),
    "disable_user": ("users", "disable_user"),
    "has_users": ("users", "has_users"),
    "list_tokens": ("users", "list_tokens"),
    "list_users": ("users", "list_users"),
    "login": ("sessions", "login"),
    "logout": ("sessions", "logout"),
    "needs_touch": ("users", "needs_touch"),
    "notifications": ("access", "notifications"),
    "resolve": ("sessions", "resolve"),
    "retry_notifications": ("access", "retry_notifications"),
    "revoke_token": ("users", "revoke_token"),
    "set_password": ("passwords", "set_password"),
    "token_actor": ("users", "token_actor"),
    "token_owner": ("users", "token_owner"),
    "tokens": ("access", "tokens"),
    "tokens_visible_to": ("users", "tokens_visible_to"),
    "touch": ("sessions", "touch"),
    "touch_token": ("users", "touch_token"),
    "user_actor": ("token_check", "user_actor"),
}
__all__ = [
    "AUDIT_PAGE",
    "Current",
    "SessionPolicy",
    "USER_ROLES",
    "actor_for",
    "add_user",
    "audit_events",
    "audit_export",
    "audit_export_stream",
    "audit_verify",
    "authenticate_token",
    "create_token",
    "dbapi_has_users",
    "dbapi_token_actor",
    "disable_user",
    "has_users",
    "list_tokens",
    "list_users",
    "login",
    "logout",
    "needs_touch",
    "notifications",
    "resolve",
    "retry_notifications",
    "revoke_token",
    "set_password",
    "token_actor",
    "token_owner",
    "tokens",
    "tokens_visible_to",
    "touch",
    "touch_token",
    "user_actor",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.people.access import (
        AUDIT_PAGE as AUDIT_PAGE,
    )
    from agencyflow.services.people.access import (
        audit_events as audit_events,
    )
    from agencyflow.services.people.access import (
        audit_export as audit_export,
    )
    from agencyflow.services.people.access import (
        audit_export_stream as audit_export_stream,
    )
    from agencyflow.services.people.access import (
        audit_verify as audit_verify,
    )
    from agencyflow.services.people.access import (
        notifications as notifications,
    )
    from agencyflow.services.people.access import (
        retry_notifications as retry_notifications,
    )
    from agencyflow.services.people.access import (
        tokens as tokens,
    )
    from agencyflow.services.people.passwords import (
        set_password as set_password,
    )
    from agencyflow.services.people.sessions import (
        Current as Current,
    )
    from agencyflow.services.people.sessions import (
        SessionPolicy as SessionPolicy,
    )
    from agencyflow.services.people.sessions import (
        login as login,
    )
    from agencyflow.services.people.sessions import (
        logout as logout,
    )
    from agencyflow.services.people.sessions import (
        resolve as resolve,
    )
    from agencyflow.services.people.sessions import (
        touch as touch,
    )
    from agencyflow.services.people.token_check import (
        has_users as dbapi_has_users,
    )
    from agencyflow.services.people.token_check import (
        token_actor as dbapi_token_actor,
    )
    from agencyflow.services.people.token_check import (
        user_actor as user_actor,
    )
    from agencyflow.services.people.users import (
        USER_ROLES as USER_ROLES,
    )
    from agencyflow.services.people.users import (
        actor_for as actor_for,
    )
    from agencyflow.services.people.users import (
        add_user as add_user,
    )
    from agencyflow.services.people.users import (
        authenticate_token as authenticate_token,
    )
    from agencyflow.services.people.users import (
        create_token as create_token,
    )
    from agencyflow.services.people.users import (
        disable_user as disable_user,
    )
    from agencyflow.services.people.users import (
        has_users as has_users,
    )
    from agencyflow.services.people.users import (
        list_tokens as list_tokens,
    )
    from agencyflow.services.people.users import (
        list_users as list_users,
    )
    from agencyflow.services.people.users import (
        needs_touch as needs_touch,
    )
    from agencyflow.services.people.users import (
        revoke_token as revoke_token,
    )
    from agencyflow.services.people.users import (
        token_actor as token_actor,
    )
    from agencyflow.services.people.users import (
        token_owner as token_owner,
    )
    from agencyflow.services.people.users import (
        tokens_visible_to as tokens_visible_to,
    )
    from agencyflow.services.people.users import (
        touch_token as touch_token,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
