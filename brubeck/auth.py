"""Authentication: who the user is, and methods that need one.

- :class:`UserHandlingMixin` gives a handler ``current_user``, the cached
  result of :meth:`~UserHandlingMixin.get_current_user` (which you override:
  read a signed session cookie, check a token...).
- :func:`authenticated` answers 401 when there is no current user;
  :func:`web_authenticated` redirects to the app's ``login_url`` (302), or
  answers 401 when the app has none.
- Passwords: :func:`hash_password` and :func:`verify_password` (scrypt,
  constant-time checks; 0.4's bcrypt lines when bcrypt is installed), from
  :mod:`brubeck.passwords`, with 0.4's helpers. The ``User`` and
  ``UserProfile`` documents are in :mod:`brubeck.models`.

Sessions are signed cookies (``set_secure_cookie``: HMAC-SHA256 with an
issue time, expired after the app's ``cookie_max_age``): keep the user's id
in one, never a password.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from brubeck.passwords import (
    BCRYPT,
    PASSWD_DELIM,
    SCRYPT,
    build_passwd_line,
    gen_hexdigest,
    hash_password,
    needs_rehash,
    split_passwd_line,
    verify_password,
)

__all__ = [
    "BCRYPT",
    "PASSWD_DELIM",
    "SCRYPT",
    "UserHandlingMixin",
    "authenticated",
    "build_passwd_line",
    "gen_hexdigest",
    "hash_password",
    "needs_rehash",
    "split_passwd_line",
    "verify_password",
    "web_authenticated",
]

log = logging.getLogger("brubeck.auth")

F = TypeVar("F", bound=Callable[..., Any])

_UNSET = object()


def _auth_failure(handler: Any) -> Any:
    """The 401 reply (``render_error`` with the handler's ``auth_error`` hook)."""
    return handler.render_error(handler._AUTH_FAILURE, getattr(handler, "auth_error", None))


def authenticated(method: F) -> F:
    """Decorate a handler method to need a user: without ``self.current_user``
    the reply is the handler's ``render_error(401)`` and the method does not run."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.current_user:
            return _auth_failure(self)
        return method(self, *args, **kwargs)

    return cast(F, wrapper)


def web_authenticated(method: F) -> F:
    """Like :func:`authenticated`, but a browser without a user is redirected
    (302) to the app's ``login_url``; without one the reply is a 401 (logged)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.current_user:
            login_url = getattr(self.application, "login_url", None)
            if login_url:
                return self.redirect(login_url)
            log.error("web_authenticated needs the app's login_url: Brubeck(login_url=...)")
            return _auth_failure(self)
        return method(self, *args, **kwargs)

    return cast(F, wrapper)


class UserHandlingMixin:
    """The current user (and profile) of a request, looked up once.

    Mix it into a handler and override :meth:`get_current_user`::

        class Page(UserHandlingMixin, Jinja2Rendering):
            def get_current_user(self):
                return USERS.get(self.get_secure_cookie("user_id"))
    """

    _current_user: Any = _UNSET
    _current_userprofile: Any = _UNSET

    @property
    def current_user(self) -> Any:
        """The user of this request (``None``: nobody), from :meth:`get_current_user`."""
        if self._current_user is _UNSET:
            self._current_user = self.get_current_user()
        return self._current_user

    @current_user.setter
    def current_user(self, user: Any) -> None:
        self._current_user = user

    def get_current_user(self) -> Any:
        """Override: the user of this request, or ``None`` (the default)."""
        return None

    @property
    def current_userprofile(self) -> Any:
        """The user's profile, from :meth:`get_current_userprofile`."""
        if self._current_userprofile is _UNSET:
            self._current_userprofile = self.get_current_userprofile()
        return self._current_userprofile

    def get_current_userprofile(self) -> Any:
        """Override: the current user's profile, or ``None`` (the default)."""
        return None

    def auth_error(self) -> None:
        """Hook: runs while the 401 reply is built (after the reply is cleared),
        e.g. to set ``WWW-Authenticate``. Does nothing by default."""
