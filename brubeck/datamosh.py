"""Mixins for data models and the handlers that serve them (0.4's "mosh pit
of data handling logic"): owned data, streamed data, and typed arguments.

Mix the model mixins into a document, in either order::

    class Post(Document, OwnedModelMixin, StreamedModelMixin):
        text = StringField(max_length=140)

and the handler mixins into a handler::

    class Posts(OwnedHandlerMixin, StreamedHandlerMixin, JSONMessageHandler):
        def get(self):
            page, count, skip = self.get_paging_arguments()
            ...

Changes from Brubeck 0.4:

* :func:`get_typed_argument` falls back to the default only when the
  conversion fails (ValueError, TypeError, OverflowError); 0.4 caught
  every exception.
* :meth:`OwnedHandlerMixin.get_owner_username` runs (0.4's parameter was
  misspelt, so every call raised NameError), and a missing ``owner`` gives
  the default, not the text ``"None"``.
* :meth:`StreamedHandlerMixin.get_paging_arguments` ignores negative
  values, using the defaults instead.
* 0.4's model mixins could not be combined with a model (an impossible
  MRO at 0.4's last commit); these are ``Meta.mixin`` documents that can.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol, TypeVar, cast

from brubeck.models import EmbeddedDocument
from brubeck.models.fields import StringField, UUIDField
from brubeck.timekeeping import MillisecondField

__all__ = [
    "ArgumentSource",
    "OwnedHandlerMixin",
    "OwnedModelMixin",
    "StreamedHandlerMixin",
    "StreamedModelMixin",
    "get_typed_argument",
]

T = TypeVar("T")
D = TypeVar("D")


class ArgumentSource(Protocol):
    """What :func:`get_typed_argument` reads from: a handler's ``get_argument``."""

    def get_argument(self, name: str, default: Any = None) -> Any:
        """The request argument ``name``, or ``default`` when it is absent."""
        ...


def get_typed_argument(
    arg: str, default: D, handler: ArgumentSource, type_fun: Callable[[Any], T]
) -> T | D:
    """``type_fun(handler.get_argument(arg, default))``, or ``default`` if that
    conversion raises ValueError, TypeError or OverflowError.

    ``get_typed_argument("page", 0, self, int)`` is ``3`` for ``?page=3`` and
    ``0`` for ``?page=three`` or no ``page`` at all. Any other exception
    (a bug in ``type_fun``, say) propagates.
    """
    value = handler.get_argument(arg, default)
    try:
        return type_fun(value)
    except (ValueError, TypeError, OverflowError):  # int(float("inf")) is an OverflowError
        return default


def _source(handler: object) -> ArgumentSource:
    """The handler a mixin is mixed into, as what the helpers need of it."""
    return cast(ArgumentSource, handler)


# -- owned data ---------------------------------------------------------------------------


class OwnedModelMixin(EmbeddedDocument):
    """Who owns a document: ``owner_id`` (a UUID) and ``owner_username``
    (at most 30 characters), both required."""

    owner_id = UUIDField(required=True)
    owner_username = StringField(max_length=30, required=True)

    class Meta:
        mixin = True


class OwnedHandlerMixin:
    """Reads the owner's username from the request argument named by
    :attr:`owner_argument` (``owner``, as in 0.4)."""

    #: The request argument :meth:`get_owner_username` reads.
    owner_argument: ClassVar[str] = "owner"

    def get_owner_username(self, default_username: str | None = None) -> str | None:
        """The ``owner`` argument, or ``default_username`` when it is absent or empty."""
        value = _source(self).get_argument(self.owner_argument, None)
        if value is None or value == "":
            return default_username
        return str(value)


# -- streamed data ---------------------------------------------------------------------


class StreamedModelMixin(EmbeddedDocument):
    """When a document was made and last changed, for sorting a stream:
    ``created_at`` and ``updated_at``, milliseconds since the epoch (UTC),
    default 0 (see :class:`~brubeck.timekeeping.MillisecondField`)."""

    created_at = MillisecondField(default=0)
    updated_at = MillisecondField(default=0)

    class Meta:
        mixin = True


def _non_negative(handler: object, name: str, default: int) -> int:
    """The integer argument ``name``; ``default`` if it is absent, not an
    integer, or negative."""
    value = get_typed_argument(name, default, _source(handler), int)
    return value if value >= 0 else default


class StreamedHandlerMixin:
    """Reads a stream's offset (``since``) and paging (``page``, ``count``,
    ``skip``) from the request arguments."""

    def get_stream_offset(self, default_since: int = 0) -> int:
        """The ``since`` argument as an int (milliseconds, to compare with
        ``created_at`` or ``updated_at``), or ``default_since`` when it is
        absent or not an integer."""
        return get_typed_argument("since", default_since, _source(self), int)

    def get_paging_arguments(
        self, default_page: int = 0, default_count: int = 25, max_count: int | None = 25
    ) -> tuple[int, int, int]:
        """``(page, count, skip)`` from the ``page``, ``count`` and ``skip`` arguments.

        ``count`` is capped at ``max_count`` (None: no cap); ``skip`` defaults
        to ``page * count``. A value that is absent, not an integer, or
        negative is replaced by its default.

        Raises:
            ValueError: A negative default or ``max_count``.
        """
        if min(default_page, default_count, max_count or 0) < 0:
            raise ValueError("paging defaults and max_count must not be negative")
        page = _non_negative(self, "page", default_page)
        count = _non_negative(self, "count", default_count)
        if max_count is not None and count > max_count:
            count = max_count
        skip = _non_negative(self, "skip", page * count)
        return page, count, skip
