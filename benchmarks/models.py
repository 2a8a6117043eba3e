"""brubeck.models against pydantic v2 and msgspec on the same document.

The yardstick is the 12-field "signup" document of
shared/reference/benchmarks.md (a list of 3 embedded items, a UUID, a
datetime, e-mail and URL patterns, choices, a str->str dict), defined the same
way in each library, with the same regexes. Four rows: validate from a dict,
validate from JSON bytes, reject the invalid variant (items[2].qty = 0) and
extract the errors, serialize the validated document to JSON bytes.

Targets (issue 4): Brubeck <= 2.0x pydantic on every row; aim <= 1.0x on
validate-from-JSON.

Run: ``./dev bench models`` or ``.venv/bin/python benchmarks/models.py``.
"""

from __future__ import annotations

import copy
import datetime
import json
import statistics
import sys
import timeit
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import pydantic

from brubeck.codecs import json as json_codec
from brubeck.models import Document, EmbeddedDocument, ShieldDocException
from brubeck.models.fields import (
    BooleanField,
    DateTimeField,
    DictField,
    EmbeddedDocumentField,
    FloatField,
    IntField,
    ListField,
    StringField,
    UUIDField,
)

#: The yardstick document, shared with the tests.
SIGNUP = Path(__file__).parent.parent / "tests" / "data" / "signup.json"
EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$"

VALID: dict[str, Any] = json.loads(SIGNUP.read_text())
INVALID = copy.deepcopy(VALID)
INVALID["items"][2]["qty"] = 0
VALID_JSON = msgspec.json.encode(VALID)


# -- Brubeck ----------------------------------------------------------------------


class Item(EmbeddedDocument):
    sku = StringField(required=True, max_length=32)
    qty = IntField(required=True, min_value=1, max_value=1000)
    price = FloatField(required=True, min_value=0)


class Signup(Document):
    username = StringField(required=True, min_length=3, max_length=32)
    age = IntField(required=True, min_value=13, max_value=130)
    balance = FloatField(required=True)
    is_active = BooleanField(required=True)
    email = StringField(required=True, regex=EMAIL)
    website = StringField(required=True, regex=URL)
    user_id = UUIDField(required=True)
    created_at = DateTimeField(required=True)
    plan = StringField(required=True, choices=["free", "pro", "enterprise"])
    items = ListField(EmbeddedDocumentField(Item), required=True, min_length=1, max_length=100)
    tags = DictField(required=True, field=StringField())
    currency = StringField(max_length=3, default="USD")


# -- pydantic v2 --------------------------------------------------------------------


class PItem(pydantic.BaseModel):
    sku: Annotated[str, pydantic.Field(max_length=32)]
    qty: Annotated[int, pydantic.Field(ge=1, le=1000)]
    price: Annotated[float, pydantic.Field(ge=0)]


class PSignup(pydantic.BaseModel):
    username: Annotated[str, pydantic.Field(min_length=3, max_length=32)]
    age: Annotated[int, pydantic.Field(ge=13, le=130)]
    balance: float
    is_active: bool
    email: Annotated[str, pydantic.Field(pattern=EMAIL)]
    website: Annotated[str, pydantic.Field(pattern=URL)]
    user_id: uuid.UUID
    created_at: datetime.datetime
    plan: Literal["free", "pro", "enterprise"]
    items: Annotated[list[PItem], pydantic.Field(min_length=1, max_length=100)]
    tags: dict[str, str]
    currency: Annotated[str, pydantic.Field(max_length=3)] = "USD"


# -- msgspec ----------------------------------------------------------------------------


class MItem(msgspec.Struct):
    sku: Annotated[str, msgspec.Meta(max_length=32)]
    qty: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    price: Annotated[float, msgspec.Meta(ge=0)]


class MSignup(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(min_length=3, max_length=32)]
    age: Annotated[int, msgspec.Meta(ge=13, le=130)]
    balance: float
    is_active: bool
    email: Annotated[str, msgspec.Meta(pattern=EMAIL)]
    website: Annotated[str, msgspec.Meta(pattern=URL)]
    user_id: uuid.UUID
    created_at: datetime.datetime
    plan: Literal["free", "pro", "enterprise"]
    items: Annotated[list[MItem], msgspec.Meta(min_length=1, max_length=100)]
    tags: dict[str, str]
    currency: Annotated[str, msgspec.Meta(max_length=3)] = "USD"


def brubeck_invalid() -> object:
    try:
        Signup.from_primitive(INVALID)
    except ShieldDocException as exc:
        return exc.to_primitive()
    raise AssertionError("accepted the invalid document")


def pydantic_invalid() -> object:
    try:
        PSignup.model_validate(INVALID)
    except pydantic.ValidationError as exc:
        return exc.errors()
    raise AssertionError("accepted the invalid document")


def msgspec_invalid() -> object:
    try:
        msgspec.convert(INVALID, MSignup)
    except msgspec.ValidationError as exc:
        return str(exc)
    raise AssertionError("accepted the invalid document")


def rows() -> list[tuple[str, dict[str, Callable[[], object]]]]:
    brubeck_doc = Signup.from_primitive(VALID)
    pydantic_doc = PSignup.model_validate(VALID)
    msgspec_doc = msgspec.convert(VALID, MSignup)
    decode_signup = msgspec.json.Decoder(MSignup).decode
    encode = msgspec.json.Encoder().encode
    return [
        (
            "validate from dict",
            {
                "brubeck": lambda: Signup.from_primitive(VALID),
                "pydantic": lambda: PSignup.model_validate(VALID),
                "msgspec": lambda: msgspec.convert(VALID, MSignup),
            },
        ),
        (
            "validate from JSON bytes",
            {
                # from_json's document builds its data on first use: build
                # it, as pydantic and msgspec build theirs.
                "brubeck": lambda: Signup.from_json(VALID_JSON)._data,
                "pydantic": lambda: PSignup.model_validate_json(VALID_JSON),
                "msgspec": lambda: decode_signup(VALID_JSON),
            },
        ),
        (
            "reject invalid + errors",
            {"brubeck": brubeck_invalid, "pydantic": pydantic_invalid, "msgspec": msgspec_invalid},
        ),
        (
            "serialize to JSON bytes",
            {
                "brubeck": lambda: json_codec.encode(brubeck_doc.to_primitive()),
                "pydantic": lambda: pydantic_doc.__pydantic_serializer__.to_json(pydantic_doc),
                "msgspec": lambda: encode(msgspec_doc),
            },
        ),
    ]


def check_equivalence() -> None:
    """All three accept the valid document, refuse the invalid one, and agree."""
    ours = Signup.from_primitive(VALID).to_primitive()
    theirs = PSignup.model_validate(VALID).model_dump(mode="json")
    assert ours["items"] == theirs["items"] and ours["tags"] == theirs["tags"]
    for invalid in (brubeck_invalid, pydantic_invalid, msgspec_invalid):
        invalid()


def measure(functions: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float]]:
    """Best and median µs per call; repeats interleaved across the libraries."""
    timers = {}
    for name, function in functions.items():
        timer = timeit.Timer(function)
        number, _ = timer.autorange()
        timers[name] = (timer, max(1, number))
    runs: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(7):
        for name, (timer, number) in timers.items():
            runs[name].append(timer.timeit(number) / number * 1e6)
    return {name: (min(r), statistics.median(r)) for name, r in runs.items()}


def main() -> int:
    print(
        f"# Models benchmark: Python {sys.version.split()[0]}, pydantic {pydantic.VERSION}, "
        f"msgspec {msgspec.__version__}; µs per call, best of 7 (median); ratio = x / pydantic"
    )
    check_equivalence()
    print(f"\n{'row':26} {'brubeck':>16} {'pydantic':>16} {'msgspec':>16} {'brubeck/pyd':>12}")
    worst = 0.0
    json_ratio = 0.0
    for label, functions in rows():
        results = measure(functions)
        ratio = results["brubeck"][0] / results["pydantic"][0]
        worst = max(worst, ratio)
        if "JSON bytes" in label and "validate" in label:
            json_ratio = ratio
        cells = " ".join(f"{best:7.2f} ({median:6.2f})" for best, median in results.values())
        print(f"{label:26} {cells} {ratio:11.2f}x", flush=True)
    print(f"\nworst ratio {worst:.2f} (target <= 2.0): {'met' if worst <= 2.0 else 'MISSED'}")
    verdict = "met" if json_ratio <= 1 else "not yet"
    print(f"validate from JSON {json_ratio:.2f} (aim <= 1.0): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
