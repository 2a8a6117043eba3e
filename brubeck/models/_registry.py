"""Document classes by name, so a field can refer to a class defined later."""

from __future__ import annotations

from typing import Any

#: Filled by the document metaclass: class name (and dotted ``_class_name``) to class.
DOCUMENTS: dict[str, Any] = {}
