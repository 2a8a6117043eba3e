"""AutoAPI: a REST API over a ``brubeck.models`` document and a queryset.

Subclass :class:`AutoAPIBase` with a ``model`` and a ``queries`` queryset,
then ``app.register_api(TodosAPI)``: ``/todo/`` serves GET (all), POST (one
document or a list); ``/todo/ID`` and ``/todo/ID1,ID2`` serve GET, PUT
(and POST, as in 0.4) and DELETE. Every item of an answer carries its own
``status_code`` and ``status_msg``; one status for all items is the HTTP
status, mixed ones are ``207 Multi-Status``. A request that cannot be read
as a whole (undecodable body, ids that do not match the URL, refused by
:meth:`AutoAPIBase.authorize`) is an error reply (``application/problem+json``).
See ``docs/autoapi.md``.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from brubeck.codecs import json
from brubeck.errors import DecodeError, HTTPError, ShieldDocException, ShieldException
from brubeck.handlers.json import JSONMessageHandler
from brubeck.handlers.web import WebMessageHandler
from brubeck.models.document import BaseDocument
from brubeck.models.fields import UUIDField
from brubeck.queryset.base import AbstractQueryset, Result

__all__ = ["OPERATIONS", "AutoAPIBase", "JsonSchemaMessageHandler"]

#: The operations :meth:`AutoAPIBase.authorize` is asked about.
OPERATIONS = ("read", "create", "update", "destroy")

_ID_SEP = ","


class _Invalid:
    """An item of a request body that is not a valid document (errors as data)."""

    __slots__ = ("errors", "item_id")

    def __init__(self, errors: list[dict[str, Any]], item_id: Any = None) -> None:
        self.errors = errors
        self.item_id = item_id


class AutoAPIBase(JSONMessageHandler):
    """CRUD over ``model`` stored in ``queries``.

    Class attributes:
        model: The document class served.
        queries: The :class:`~brubeck.queryset.AbstractQueryset` storing it.
    """

    model: ClassVar[type[BaseDocument] | None] = None
    queries: ClassVar[AbstractQueryset | None] = None
    _PAYLOAD_DATA = "data"

    # -- hooks -----------------------------------------------------------------------

    def authorize(self, operation: str, items: list[Any]) -> bool:
        """Whether this request may do ``operation`` (one of :data:`OPERATIONS`)
        to ``items``: ids for read and destroy (empty: read all), documents
        for create and update. The default allows everything, as 0.4 did;
        ``False`` answers 403, and the hook may raise :class:`HTTPError`
        itself (a 401 for a request without a user)."""
        return True

    # -- the verbs -------------------------------------------------------------------

    def get(self, ids: str = "") -> Any:
        """Read all documents, one (``/todo/ID``) or many (``/todo/A,B``)."""
        id_list = self._split_ids(ids)
        self._authorize("read", id_list)
        if not id_list:
            return self._answer(self._queries.read_all(), many=True)
        many = len(id_list) > 1
        checked = [self._convert_to_id(raw) for raw in id_list]
        found = self._queries.read_many([i for i in checked if not isinstance(i, _Invalid)])
        return self._answer(_merge(checked, found), many)

    def post(self, ids: str = "") -> Any:
        """Create the document (or list of documents) in the body; with ids
        in the URL it updates them, as 0.4 did."""
        if self._split_ids(ids):
            return self.put(ids)
        data, many = self._items_of_body()
        docs = [self._convert_to_model(item, new=True) for item in data]
        valid = [doc for doc in docs if not isinstance(doc, _Invalid)]
        self._authorize("create", valid)
        return self._answer(_merge(docs, self._queries.create_many(valid) if valid else []), many)

    def put(self, ids: str = "") -> Any:
        """Replace stored documents: the body's ids must be the URL's, if any
        (a document without an id takes the URL's)."""
        id_list = self._split_ids(ids)
        data, many = self._items_of_body()
        data = self._with_url_ids(id_list, data)
        docs = self._match_url(id_list, [self._convert_to_model(item) for item in data])
        valid = [doc for doc in docs if not isinstance(doc, _Invalid)]
        self._authorize("update", valid)
        return self._answer(_merge(docs, self._queries.update_many(valid) if valid else []), many)

    def delete(self, ids: str = "") -> Any:
        """Delete ``/todo/ID`` or ``/todo/A,B`` (never everything: ids are required)."""
        id_list = self._split_ids(ids)
        if not id_list:
            raise HTTPError(400, "DELETE needs ids in the URL (/todo/ID or /todo/ID1,ID2)")
        self._authorize("destroy", id_list)
        checked = [self._convert_to_id(raw) for raw in id_list]
        done = self._queries.destroy_many([i for i in checked if not isinstance(i, _Invalid)])
        return self._answer(_merge(checked, done), many=len(id_list) > 1)

    # -- reading the request -------------------------------------------------------------

    @property
    def _queries(self) -> AbstractQueryset:
        if self.queries is None or self.model is None:
            raise TypeError(f"{type(self).__name__} needs a model and a queryset (queries)")
        return self.queries

    @property
    def _model(self) -> type[BaseDocument]:
        if self.model is None:
            raise TypeError(f"{type(self).__name__} needs a model")
        return self.model

    def _authorize(self, operation: str, items: list[Any]) -> None:
        if not self.authorize(operation, items):
            raise HTTPError(403, f"Not allowed to {operation} {self._model.__name__} documents")

    @staticmethod
    def _split_ids(ids: str | None) -> list[str]:
        return [part for part in (ids or "").split(_ID_SEP) if part]

    def _get_body_as_data(self) -> Any:
        """The decoded JSON body, or the JSON in the form argument ``data``.

        Raises:
            HTTPError: 400 for no data or undecodable JSON.
        """
        media = (self.message.content_type or "").partition(";")[0].strip().lower()
        if media == "application/json" or media.endswith("+json"):
            raw: str | bytes | None = self.message.body
        else:
            raw = self.get_argument(self._PAYLOAD_DATA)
        if not raw:
            raise HTTPError(400, "No data: send a JSON body, or JSON in the form field 'data'")
        try:
            return json.decode(raw.encode("utf-8") if isinstance(raw, str) else raw)
        except DecodeError as exc:
            problem = {"path": "$", "reason": exc.reason, "offset": exc.offset}
            raise HTTPError(400, "Undecodable JSON body", [problem]) from None

    def _items_of_body(self) -> tuple[list[Any], bool]:
        data = self._get_body_as_data()
        if isinstance(data, dict):
            return [data], False
        if isinstance(data, list) and data:
            return data, True
        raise HTTPError(400, "The body is a JSON object or a non-empty list of them")

    def _convert_to_id(self, datum: Any) -> Any:
        """The id in its field's type, or an :class:`_Invalid` with the reason."""
        field = self._model._fields[self._queries.api_id]
        value = field.coerce(datum)
        errors: list[ShieldException] = []
        field.check(value, f"$.{self._queries.api_id}", errors)
        if errors:
            return _Invalid([error.to_primitive() for error in errors], datum)
        return value

    def _convert_to_model(self, datum: Any, new: bool = False) -> Any:
        """A validated document, or an :class:`_Invalid` with every error and
        its path. A new document without an id gets a fresh UUID when its
        id is a UUID field."""
        model = self._model
        if not isinstance(datum, dict):
            reason = f"Expected a JSON object, got {type(datum).__name__}"
            return _Invalid([{"path": "$", "reason": reason}])
        api_id = self._queries.api_id
        item_id = datum.get(api_id, datum.get("_id"))
        try:
            doc = model.from_primitive(datum)
        except ShieldDocException as exc:
            return _Invalid(exc.to_primitive(), item_id)
        if getattr(doc, api_id, None) is None:
            if new and isinstance(model._fields.get(api_id), UUIDField):
                setattr(doc, api_id, uuid.uuid4())
            else:
                reason = "An id is required"
                return _Invalid([{"path": f"$.{api_id}", "reason": reason, "value": None}])
        return doc

    def _with_url_ids(self, id_list: list[str], data: list[Any]) -> list[Any]:
        if not id_list:
            return data
        if len(id_list) != len(data):
            raise HTTPError(400, f"The URL names {len(id_list)} ids, the body has {len(data)}")
        api_id = self._queries.api_id
        return [
            {**item, api_id: raw}
            if isinstance(item, dict) and api_id not in item and "_id" not in item
            else item
            for raw, item in zip(id_list, data, strict=True)
        ]

    def _match_url(self, id_list: list[str], docs: list[Any]) -> list[Any]:
        """0.4's ``url_matches_body``, fixed: the URL's ids, in order, must be
        the documents' (compared as the id field's values)."""
        api_id = self._queries.api_id
        for raw, doc in zip(id_list, docs, strict=False):
            url_id = self._convert_to_id(raw)
            if isinstance(url_id, _Invalid):
                raise HTTPError(400, "Invalid id in the URL", url_id.errors)
            if isinstance(doc, _Invalid):
                continue
            if getattr(doc, api_id) != url_id:
                raise HTTPError(400, f"The body's {api_id} {getattr(doc, api_id)} is not {raw}")
        return docs

    # -- answering -----------------------------------------------------------------------

    def _crud_to_http(self, crud_status: str) -> int:
        """0.4's table, plus 404 for ids not stored."""
        queries = AbstractQueryset
        return {
            queries.MSG_FAILED: self._FAILED_CODE,
            queries.MSG_CREATED: self._CREATED_CODE,
            queries.MSG_UPDATED: self._UPDATED_CODE,
            queries.MSG_OK: self._SUCCESS_CODE,
            queries.MSG_NOTFOUND: self._NOT_FOUND,
            "": self._SUCCESS_CODE,
        }.get(crud_status, self._SERVER_ERROR)

    def _make_presentable(self, datum: Any) -> dict[str, Any]:
        """The owner view of a document or a stored dict, with ``id`` as text."""
        model = self._model
        doc = datum if isinstance(datum, BaseDocument) else model(**datum)
        view: dict[str, Any] = model.make_json_ownersafe(doc, encode=False)
        view["id"] = str(getattr(doc, self._queries.api_id))
        return view

    def _item(self, result: Result) -> tuple[int, dict[str, Any]]:
        status, datum = result
        code = self._crud_to_http(status)
        if isinstance(datum, _Invalid):
            item: dict[str, Any] = {"errors": datum.errors}
            if datum.item_id is not None:
                item["id"] = str(datum.item_id)
        elif code >= self._FAILED_CODE:  # a storage's refusal: the id is all there is
            item = {"id": self._queries.key_of(datum)}
        else:
            item = self._make_presentable(datum)
        item["status_code"] = code
        item["status_msg"] = self._default_status_msg(code)
        return code, item

    def _answer(self, results: Result | list[Result], many: bool) -> Any:
        """0.4's ``_generate_response``: statuses embedded in each item; one
        status for all is the reply's, mixed ones are 207."""
        listed = results if isinstance(results, list) else [results]
        items = [self._item(result) for result in listed]
        codes = {code for code, _ in items}
        if len(codes) > 1:
            status = self._MULTI_CODE
        else:
            status = codes.pop() if codes else self._SUCCESS_CODE
        payload = [item for _, item in items]
        self.add_to_payload(self._PAYLOAD_DATA, payload if many else payload[0])
        return self.render(status_code=status)


def _merge(items: list[Any], stored: list[Result]) -> list[Result]:
    """The storage's answers for the valid items, in the request's order,
    with a 400 result in place of each invalid one."""
    answers = iter(stored)
    failed = AbstractQueryset.MSG_FAILED
    return [(failed, item) if isinstance(item, _Invalid) else next(answers) for item in items]


class JsonSchemaMessageHandler(JSONMessageHandler):
    """``GET /manifest.json``: the DictShield JSON Schemas of the models an
    app serves through AutoAPI, as a list (``application/schema+json``).

    ``register_api`` gives each app its own subclass, so two apps never share
    a manifest (0.4 kept one for the whole process).
    """

    manifest: ClassVar[dict[str, dict[str, Any]]] = {}

    @classmethod
    def add_model(cls, model: type[BaseDocument]) -> None:
        """Add ``model``'s schema under its lowercase name."""
        cls.manifest[model.__name__.lower()] = model.for_jsonschema()

    def get(self) -> Any:
        """The list of schemas."""
        self.set_body(json.encode(list(self.manifest.values())), status_code=200)
        self.headers["Content-Type"] = "application/schema+json"
        return WebMessageHandler.render(self)  # the body as set, not the payload
