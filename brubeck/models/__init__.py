"""``brubeck.models``: DictShield 0.4.4's documents and fields on Python 3.

Declare a document as a class of typed fields, build it from decoded data,
validate it (every error, with its path), and serialize it whole or as the
owner's or the public's view::

    from brubeck.models import Document, EmbeddedDocument
    from brubeck.models.fields import IntField, ListField, EmbeddedDocumentField, StringField

    class Item(EmbeddedDocument):
        sku = StringField(required=True, max_length=32)
        qty = IntField(required=True, min_value=1)

    class Order(Document):
        items = ListField(EmbeddedDocumentField(Item), min_length=1)

    order = Order.from_json(b'{"items": [{"sku": "A", "qty": 0}]}')
    # ShieldDocException; .to_primitive() gives
    # [{"path": "$.items[0].qty", "reason": "Int value below min_value: 1", "value": 0}]
"""

from __future__ import annotations

from brubeck.errors import InvalidShield, ShieldDocException, ShieldException
from brubeck.models.datastructures import MultiValueDict
from brubeck.models.document import (
    BaseDocument,
    Document,
    DocumentMetaclass,
    EmbeddedDocument,
    TopLevelDocumentMetaclass,
)
from brubeck.models.fields import *  # noqa: F403 - the DictShield names, all of them
from brubeck.models.fields import __all__ as _field_names
from brubeck.models.users import User, UserProfile

DictPunch = ShieldException  # DictShield's other name for it

__all__ = [
    "BaseDocument",
    "DictPunch",
    "Document",
    "DocumentMetaclass",
    "EmbeddedDocument",
    "InvalidShield",
    "MultiValueDict",
    "ShieldDocException",
    "ShieldException",
    "TopLevelDocumentMetaclass",
    "User",
    "UserProfile",
    *_field_names,
]
