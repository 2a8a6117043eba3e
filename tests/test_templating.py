"""brubeck.templating: the four engines, autoescaping, content types and error pages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from brubeck import templating
from brubeck.app import Brubeck
from brubeck.templating import (
    HTML_CONTENT_TYPE,
    Jinja2Rendering,
    MakoRendering,
    MustacheRendering,
    TemplateRendering,
    TornadoRendering,
    load_jinja2_env,
    load_mako_env,
    load_mustache_env,
    load_tornado_env,
)
from brubeck.testing import TestClient

SCRIPT = "<script>alert('x')</script>"


@dataclass(frozen=True)
class Engine:
    name: str
    package: str
    extra: str
    factory: Callable[..., Callable[[], Any]]
    mixin: type[TemplateRendering]
    files: dict[str, str]  # file name -> source
    hello: str  # the template names handlers use
    errors: str


ENGINES = [
    Engine(
        "jinja2",
        "jinja2",
        "templates-jinja2",
        load_jinja2_env,
        Jinja2Rendering,
        {
            "hello.html": "<p>Hello, {{ name }}!</p>",
            "errors.html": "<h1>Error {{ error_code }}: {{ status_msg }}</h1>",
        },
        "hello.html",
        "errors.html",
    ),
    Engine(
        "mako",
        "mako",
        "templates-mako",
        load_mako_env,
        MakoRendering,
        {
            "hello.html": "<p>Hello, ${name}!</p>",
            "errors.html": "<h1>Error ${error_code}: ${status_msg}</h1>",
        },
        "hello.html",
        "errors.html",
    ),
    Engine(
        "mustache",
        "pystache",
        "templates-mustache",
        load_mustache_env,
        MustacheRendering,
        {
            "hello.mustache": "<p>Hello, {{name}}!</p>",
            "errors.mustache": "<h1>Error {{error_code}}: {{status_msg}}</h1>",
        },
        "hello",
        "errors",
    ),
    Engine(
        "tornado",
        "tornado",
        "templates-tornado",
        load_tornado_env,
        TornadoRendering,
        {
            "hello.html": "<p>Hello, {{ name }}!</p>",
            "errors.html": "<h1>Error {{ error_code }}: {{ status_msg }}</h1>",
        },
        "hello.html",
        "errors.html",
    ),
]


@pytest.fixture(params=ENGINES, ids=lambda engine: engine.name)
def engine(request: pytest.FixtureRequest) -> Engine:
    return request.param  # type: ignore[no-any-return]


def write_templates(directory: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        (directory / name).write_text(source, encoding="utf-8")
    return directory


def make_app(engine: Engine, directory: Path, with_errors: bool = True) -> Brubeck:
    files = dict(engine.files)
    if not with_errors:
        files = {name: source for name, source in files.items() if "errors" not in name}
    write_templates(directory, files)
    hello_template = engine.hello

    class Hello(engine.mixin):  # type: ignore[name-defined, misc]
        def get(self) -> Any:
            return self.render_template(hello_template, name=self.get_argument("name", "dude"))

        def put(self) -> Any:
            return self.render_template(hello_template, _status_code=201, name="new")

        def patch(self) -> Any:
            self.headers["content-type"] = "application/xhtml+xml"
            return self.render_template(hello_template, name="xhtml")

    class Failing(engine.mixin):  # type: ignore[name-defined, misc]
        def get(self) -> Any:
            return self.render_error(500)

    class Pages(engine.mixin):  # type: ignore[name-defined, misc]
        """The app's base handler: its 404s and 405s are pages."""

    app = Brubeck(
        handler_tuples=[(r"^/hello$", Hello), (r"^/fail$", Failing)],
        template_loader=engine.factory(directory),
        base_handler=Pages,
    )
    # A route whose verbs include one the class lacks: the handler's own unsupported().
    app.add_route_rule(r"^/partial$", Hello, method=["GET", "POST"])
    return app


# -- rendering ----------------------------------------------------------------------------


def test_every_engine_renders_html(engine: Engine, tmp_path: Path) -> None:
    response = TestClient(make_app(engine, tmp_path)).get("/hello", params={"name": "dude"})
    assert response.status == 200
    assert response.text == "<p>Hello, dude!</p>"
    assert response.headers["Content-Type"] == HTML_CONTENT_TYPE == "text/html; charset=utf-8"


def test_every_engine_escapes_html_by_default(engine: Engine, tmp_path: Path) -> None:
    response = TestClient(make_app(engine, tmp_path)).get("/hello", params={"name": SCRIPT})
    assert response.status == 200
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_app_render_template_works_with_every_engine(engine: Engine, tmp_path: Path) -> None:
    # 0.4's Tornado loader had no get_template, so app.render_template failed.
    app = make_app(engine, tmp_path)
    assert app.render_template(engine.hello, name="you") == "<p>Hello, you!</p>"


def test_status_code_and_a_content_type_the_handler_set(engine: Engine, tmp_path: Path) -> None:
    client = TestClient(make_app(engine, tmp_path))
    created = client.put("/hello")
    assert (created.status, created.text) == (201, "<p>Hello, new!</p>")
    own_type = client.patch("/hello")
    assert own_type.headers.get_all("Content-Type") == ["application/xhtml+xml"]


def test_text_is_utf8(engine: Engine, tmp_path: Path) -> None:
    response = TestClient(make_app(engine, tmp_path)).get("/hello", params={"name": "Zoë ☃"})
    assert response.body == "<p>Hello, Zoë ☃!</p>".encode()


# -- error pages --------------------------------------------------------------------------


def test_render_error_404_for_no_route(engine: Engine, tmp_path: Path) -> None:
    response = TestClient(make_app(engine, tmp_path)).get("/nowhere")
    assert response.status == 404
    assert response.text == "<h1>Error 404: Not found</h1>"
    assert response.headers["Content-Type"] == HTML_CONTENT_TYPE


def test_render_error_405_from_the_app(engine: Engine, tmp_path: Path) -> None:
    response = TestClient(make_app(engine, tmp_path)).delete("/hello")
    assert response.status == 405
    assert response.headers["Allow"] == "GET, PUT, PATCH, HEAD, OPTIONS"
    assert response.text == "<h1>Error 405: Method not allowed</h1>"


def test_render_error_405_from_the_handlers_unsupported(engine: Engine, tmp_path: Path) -> None:
    # 0.4's render_error(code) had no error_handler, so this was a TypeError and no reply.
    response = TestClient(make_app(engine, tmp_path)).post("/partial")
    assert response.status == 405
    assert "Allow" in response.headers
    assert response.text == "<h1>Error 405: Method not allowed</h1>"


def test_render_error_500(engine: Engine, tmp_path: Path) -> None:
    response = TestClient(make_app(engine, tmp_path)).get("/fail")
    assert response.status == 500
    assert response.text == "<h1>Error 500: Server error</h1>"


def test_render_error_401(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    handler = engine.mixin(app, None)
    reply = handler.render_error(401, error_handler=lambda: handler.set_header("X-Hook", "ran"))
    assert reply["status_code"] == 401
    assert reply["body"] == "<h1>Error 401: Authentication failed</h1>"
    assert reply["headers"]["X-Hook"] == "ran"


def test_exceptions_as_html_pages_through_an_error_handler(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)

    class Boom(engine.mixin):  # type: ignore[name-defined, misc]
        def get(self) -> Any:
            raise KeyError("boom")

    app.add_route_rule(r"^/boom$", Boom)
    app.add_error_handler(Exception, lambda request, exc: Boom(app, request).render_error(500))
    response = TestClient(app).get("/boom")
    assert (response.status, response.text) == (500, "<h1>Error 500: Server error</h1>")


def test_a_missing_error_template_gives_the_built_in_page(engine: Engine, tmp_path: Path) -> None:
    response = TestClient(make_app(engine, tmp_path, with_errors=False)).get("/nowhere")
    assert response.status == 404
    assert "<h1>404 Not found</h1>" in response.text
    assert response.headers["Content-Type"] == HTML_CONTENT_TYPE


def test_a_missing_page_template_is_a_server_error(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)

    class Lost(engine.mixin):  # type: ignore[name-defined, misc]
        def get(self) -> Any:
            return self.render_template("no-such-template")

    app.add_route_rule(r"^/lost$", Lost)
    assert TestClient(app, raise_server_exceptions=False).get("/lost").status == 500
    with pytest.raises(engine.mixin.missing_template_errors()):
        TestClient(app).get("/lost")


def test_mustache_names_have_no_extension_as_in_04() -> None:
    assert MustacheRendering.error_template == "errors"
    assert Jinja2Rendering.error_template == "errors.html"


# -- loaders ------------------------------------------------------------------------------


def test_the_engines_own_environments(tmp_path: Path) -> None:
    import jinja2
    import mako.lookup
    import pystache
    import tornado.template

    assert isinstance(load_jinja2_env(tmp_path)(), jinja2.Environment)
    assert isinstance(load_mako_env(tmp_path)(), mako.lookup.TemplateLookup)
    assert isinstance(load_mustache_env(tmp_path)(), pystache.Renderer)
    assert isinstance(load_tornado_env(tmp_path)(), tornado.template.Loader)


def test_options_reach_the_engine(tmp_path: Path) -> None:
    write_templates(tmp_path, {"raw.html": "{{ value }}"})
    env = load_jinja2_env(tmp_path, autoescape=False)()
    assert env.get_template("raw.html").render(value="<b>") == "<b>"


@pytest.mark.parametrize("factory", [e.factory for e in ENGINES], ids=[e.name for e in ENGINES])
def test_a_template_directory_is_required(factory: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="needs a template directory"):
        factory(None)


def test_a_missing_engine_says_what_to_install(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [module for module in sys.modules if module.split(".")[0] == engine.package]:
        monkeypatch.setitem(sys.modules, name, None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, engine.package, None)  # type: ignore[arg-type]
    expected = f"pip install 'brubeck\\[{engine.extra}\\]' \\(or pip install {engine.package}\\)"
    with pytest.raises(ImportError, match=expected) as caught:
        engine.factory(tmp_path)
    assert caught.value.name == engine.package


def test_a_missing_dependency_of_an_engine_is_not_hidden() -> None:
    with pytest.raises(ModuleNotFoundError) as caught:
        with templating._engine("load_jinja2_env", "jinja2", "jinja2"):
            raise ModuleNotFoundError("No module named 'markupsafe'", name="markupsafe")
    assert caught.value.name == "markupsafe"


def test_importing_brubeck_imports_no_engine() -> None:
    script = (
        "import sys, brubeck, brubeck.templating, brubeck.auth, brubeck.app, brubeck.models\n"
        "engines = ('jinja2', 'mako', 'pystache', 'tornado', 'bcrypt')\n"
        "print(', '.join(m for m in engines if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
