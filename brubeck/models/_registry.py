"""Document classes by name, so a field can refer to a class defined later.

``EmbeddedDocumentField("Address")`` looks in the owner's module first, then
among all documents; a short name that several modules define is refused
rather than resolved to whichever was defined last.
"""

from __future__ import annotations

from typing import Any

#: ``module.Name`` and dotted ``_class_name`` to class.
QUALIFIED: dict[str, Any] = {}
#: Short name to class, or None when several documents share the name.
SHORT: dict[str, Any] = {}


def register(klass: Any, name: str) -> None:
    """Record a document class under its qualified and its short names."""
    QUALIFIED[f"{klass.__module__}.{name}"] = klass
    QUALIFIED[f"{klass.__module__}.{klass._class_name}"] = klass
    for short in {name, klass._class_name}:
        known = SHORT.get(short, klass)
        if known is not None:  # None: already ambiguous, and stays so
            SHORT[short] = klass if known is klass or _same(known, klass) else None


def _same(one: Any, other: Any) -> bool:
    # Re-running a module (tests, reloads) redefines a class in place.
    return bool(one.__module__ == other.__module__ and one.__qualname__ == other.__qualname__)


def resolve(name: str, owner: Any) -> Any:
    """The class ``name`` refers to from a field of ``owner``, or None."""
    if owner is not None:
        local = QUALIFIED.get(f"{owner.__module__}.{name}")
        if local is not None:
            return local
    return QUALIFIED.get(name) or SHORT.get(name)
