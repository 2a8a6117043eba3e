"""HTML templates: Jinja2, Mako, Mustache (pystache) and Tornado, as Brubeck 0.4 had them.

Each engine has a loader factory for ``Brubeck(template_loader=...)`` and a
handler mixin::

    app = Brubeck(handler_tuples=[...], template_loader=load_jinja2_env("templates"))

    class Hello(Jinja2Rendering):
        def get(self):
            return self.render_template("hello.html", name=self.get_argument("name"))

What changed from 0.4: HTML autoescaping is on in every engine; replies are
``text/html; charset=utf-8`` unless the handler set a ``Content-Type``;
``render_error`` takes 0.4's ``error_handler`` too, so 405s and
``@authenticated`` failures render instead of failing; and the Tornado engine
works (its ``Loader`` has no ``get_template``; this one's does).

The engines are optional (``pip install 'brubeck[templates]'``); an engine
is imported when its loader factory is called, never by ``import brubeck``.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from brubeck.handlers.web import WebMessageHandler

if TYPE_CHECKING:
    import jinja2
    import tornado.template

__all__ = [
    "HTML_CONTENT_TYPE",
    "BoundTemplate",
    "Jinja2Rendering",
    "MakoRendering",
    "MustacheRendering",
    "TemplateRendering",
    "TornadoRendering",
    "load_jinja2_env",
    "load_mako_env",
    "load_mustache_env",
    "load_tornado_env",
]

log = logging.getLogger("brubeck.templating")

#: The ``Content-Type`` of rendered templates unless the handler set one.
HTML_CONTENT_TYPE = "text/html; charset=utf-8"

TemplateDir = str | os.PathLike[str]


@contextmanager
def _engine(factory: str, package: str, extra: str) -> Iterator[None]:
    """Turn a missing engine into an ImportError that says what to install."""
    try:
        yield
    except ModuleNotFoundError as exc:
        if exc.name != package and not (exc.name or "").startswith(f"{package}."):
            raise  # the engine is there, something it needs is not
        raise ImportError(
            f"{factory} needs the {package} package, which is not installed: "
            f"pip install 'brubeck[templates-{extra}]' (or pip install {package})",
            name=package,
        ) from None


def _directory(factory: str, template_dir: TemplateDir | None) -> str:
    if template_dir is None:
        raise ValueError(f"{factory} needs a template directory")
    return os.fspath(template_dir) or "."


@dataclass(frozen=True, slots=True)
class BoundTemplate:
    """A loaded template as :meth:`Brubeck.render_template` uses it:
    ``render(**context)`` returns text."""

    _render: Callable[..., str]

    def render(self, **context: Any) -> str:
        """The template rendered with ``context``."""
        return self._render(**context)


# -- loader factories ---------------------------------------------------------------------


def load_jinja2_env(
    template_dir: TemplateDir, *args: Any, **kwargs: Any
) -> Callable[[], jinja2.Environment]:
    """A ``template_loader``: a ``jinja2.Environment`` reading ``template_dir``.

    ``args`` and ``kwargs`` go to the Environment; ``autoescape`` is True
    unless given (0.4 left it off).

    Raises:
        ImportError: Jinja2 is not installed.
        ValueError: ``template_dir`` is None.
    """
    with _engine("load_jinja2_env", "jinja2", "jinja2"):
        import jinja2
    directory = _directory("load_jinja2_env", template_dir)
    kwargs.setdefault("autoescape", True)

    def loader() -> jinja2.Environment:
        options = {**kwargs, "loader": jinja2.FileSystemLoader(directory)}
        return jinja2.Environment(*args, **options)

    return loader


def load_mako_env(template_dir: TemplateDir, *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """A ``template_loader``: a ``mako.lookup.TemplateLookup`` over ``template_dir``.

    ``kwargs`` go to the lookup; ``default_filters`` is ``["h"]`` (HTML
    escaping; ``${value | n}`` prints a value raw) and ``input_encoding``
    is UTF-8 unless given.

    Raises:
        ImportError: Mako is not installed.
        ValueError: ``template_dir`` is None.
    """
    with _engine("load_mako_env", "mako", "mako"):
        import mako.lookup
    directory = _directory("load_mako_env", template_dir)
    kwargs.setdefault("default_filters", ["h"])
    kwargs.setdefault("input_encoding", "utf-8")

    def loader() -> Any:
        return mako.lookup.TemplateLookup(*args, directories=[directory], **kwargs)

    return loader


def _escape_html(text: str) -> str:
    return html.escape(text, quote=True)


def load_mustache_env(template_dir: TemplateDir, *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """A ``template_loader``: a ``pystache.Renderer`` searching ``template_dir``
    for ``NAME.mustache`` files.

    ``kwargs`` go to the Renderer; ``escape`` is HTML escaping (``{{{value}}}``
    prints a value raw) and ``file_encoding`` UTF-8 unless given. The renderer
    also has ``get_template(name)``, so ``app.render_template`` works with it.

    Raises:
        ImportError: pystache is not installed.
        ValueError: ``template_dir`` is None.
    """
    with _engine("load_mustache_env", "pystache", "mustache"):
        import pystache  # noqa: F401 - fail here, not on the first request
    directory = _directory("load_mustache_env", template_dir)
    kwargs.setdefault("escape", _escape_html)
    kwargs.setdefault("file_encoding", "utf-8")
    renderer_class = _mustache_renderer_class()

    def loader() -> Any:
        return renderer_class(*args, search_dirs=[directory], **kwargs)

    return loader


def load_tornado_env(
    template_dir: TemplateDir, *args: Any, **kwargs: Any
) -> Callable[[], tornado.template.Loader]:
    """A ``template_loader``: a ``tornado.template.Loader`` for ``template_dir``.

    ``kwargs`` go to the Loader (``autoescape`` is ``"xhtml_escape"`` unless
    given; ``{% raw value %}`` prints a value raw). It also has
    ``get_template(name)``, which 0.4's lacked, so ``app.render_template``
    works with it. Tornado caches templates: ``app.template_env.reset()``
    reloads them.

    Raises:
        ImportError: Tornado is not installed.
        ValueError: ``template_dir`` is None.
    """
    with _engine("load_tornado_env", "tornado", "tornado"):
        import tornado.template  # noqa: F401 - fail here, not on the first request
    directory = _directory("load_tornado_env", template_dir)
    kwargs.setdefault("autoescape", "xhtml_escape")
    loader_class = _tornado_loader_class()

    def loader() -> tornado.template.Loader:
        return loader_class(directory, *args, **kwargs)

    return loader


# The engines' own classes plus ``get_template``: built on first use, so that
# importing this module imports no engine.


@cache
def _mustache_renderer_class() -> type[Any]:
    import pystache

    class MustacheRenderer(pystache.Renderer):  # type: ignore[misc]
        """A ``pystache.Renderer`` with ``get_template(name).render(**context)``."""

        def get_template(self, name: str) -> BoundTemplate:
            template = self.load_template(name)

            def render(**context: Any) -> str:
                return str(self.render(template, context))

            return BoundTemplate(render)

    return MustacheRenderer


@cache
def _tornado_loader_class() -> type[tornado.template.Loader]:
    import tornado.template

    class TornadoLoader(tornado.template.Loader):
        """A ``tornado.template.Loader`` with ``get_template(name).render(**context)``."""

        def get_template(self, name: str) -> BoundTemplate:
            template = self.load(name)

            def render(**context: Any) -> str:
                return template.generate(**context).decode("utf-8")

            return BoundTemplate(render)

    return TornadoLoader


# -- handler mixins ---------------------------------------------------------------------


def _error_page(status_code: int, status_msg: str) -> str:
    title = html.escape(f"{status_code} {status_msg}")
    return f"<!DOCTYPE html>\n<title>{title}</title>\n<h1>{title}</h1>\n"


class TemplateRendering(WebMessageHandler):
    """A handler that answers with templates from the app's ``template_env``.

    Works with any environment whose ``get_template(name)`` returns an
    object with ``render(**context) -> str``; the engine mixins below add
    what they know of their engine's missing-template error.
    """

    #: The template :meth:`render_error` renders, with ``error_code`` and ``status_msg``.
    error_template: ClassVar[str] = "errors.html"
    #: The ``Content-Type`` of rendered pages, unless the handler set one.
    template_content_type: ClassVar[str] = HTML_CONTENT_TYPE

    def render_template(self, template_file: str, _status_code: int = 200, **context: Any) -> Any:
        """Render ``template_file`` with ``context`` as the reply body, with
        status ``_status_code``; returns the reply (``self.render()``)."""
        body = self.application.render_template(template_file, **context)
        self.set_body(body, status_code=_status_code)
        if not any(name.lower() == "content-type" for name in self.headers):
            self.headers["Content-Type"] = self.template_content_type
        return self.render()

    def render_error(
        self, status_code: int, error_handler: Callable[[], Any] | None = None, **context: Any
    ) -> Any:
        """Finish with ``error_template`` rendered for ``status_code``.

        ``error_handler`` runs first (the 405 reply sets ``Allow`` with it,
        ``@authenticated`` runs ``auth_error``). Without the template, a
        minimal HTML page is sent.
        """
        self.clear_payload()
        if error_handler is not None:
            error_handler()
        self._finished = True
        status_msg = self._default_status_msg(status_code)
        values = {"error_code": status_code, "status_msg": status_msg, **context}
        try:
            return self.render_template(self.error_template, _status_code=status_code, **values)
        except self.missing_template_errors():
            log.debug("no %s template; sending the built-in error page", self.error_template)
        self.set_body(_error_page(status_code, status_msg), status_code=status_code)
        self.headers["Content-Type"] = HTML_CONTENT_TYPE
        return self.render()

    @staticmethod
    def missing_template_errors() -> tuple[type[BaseException], ...]:
        """The exceptions the engine raises for a template that does not exist."""
        return ()


class Jinja2Rendering(TemplateRendering):
    """Render Jinja2 templates (``load_jinja2_env``)."""

    @staticmethod
    def missing_template_errors() -> tuple[type[BaseException], ...]:
        """``jinja2.TemplateNotFound``."""
        import jinja2

        return (jinja2.TemplateNotFound,)


class MakoRendering(TemplateRendering):
    """Render Mako templates (``load_mako_env``)."""

    @staticmethod
    def missing_template_errors() -> tuple[type[BaseException], ...]:
        """``mako.exceptions.TopLevelLookupException``."""
        import mako.exceptions

        return (mako.exceptions.TopLevelLookupException,)


class MustacheRendering(TemplateRendering):
    """Render Mustache templates (``load_mustache_env``); names have no
    extension (``"success"`` is ``success.mustache``), as in 0.4."""

    error_template: ClassVar[str] = "errors"

    @staticmethod
    def missing_template_errors() -> tuple[type[BaseException], ...]:
        """``pystache.common.TemplateNotFoundError``."""
        import pystache.common

        return (pystache.common.TemplateNotFoundError,)


class TornadoRendering(TemplateRendering):
    """Render Tornado templates (``load_tornado_env``)."""

    @staticmethod
    def missing_template_errors() -> tuple[type[BaseException], ...]:
        """A missing file: ``FileNotFoundError``."""
        return (FileNotFoundError,)
