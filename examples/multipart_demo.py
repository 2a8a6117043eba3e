"""File uploads: Brubeck 0.4's ``demo_multipart`` on this API.

``GET /`` is an upload form; ``POST /`` (``multipart/form-data``) keeps the
files of its ``data`` field and redirects back to the form, which lists them.
Each file is a ``brubeck.protocol.multipart.UploadedFile``: ``filename`` (the
last path component of the name the browser sent), ``body`` (the bytes,
exactly as sent) and ``content_type``; 0.4's ``files["data"][0]["body"]``
still works. The form's text fields are ordinary arguments (``get_argument``).
``GET /files/NAME`` sends a file back, as a download.

Everything is bounded: the app refuses bodies over ``MAX_BODY`` with a 413
before parsing them, a form has at most 1000 parts (400), and the demo keeps
only the last ``KEEP`` files. Behind Mongrel2, bodies over its
``limits.content_length`` (1 MiB in the configuration ``brubeck mongrel2``
writes) are spooled to a temp file first; ``upload_start`` refuses those at
once. (0.4's demo saved the file through PIL as ``word.png``.)

Run it with ``python examples/multipart_demo.py`` (requests through the
in-process client), or serve it with
``brubeck run examples.multipart_demo:app --wsgi 127.0.0.1:6767`` (or behind
Mongrel2 with ``--mongrel2``) and open http://127.0.0.1:6767/.
"""

from __future__ import annotations

import collections
import html
import urllib.parse
from typing import Any

from brubeck.app import Brubeck
from brubeck.errors import HTTPError
from brubeck.handlers import WebMessageHandler
from brubeck.protocol.multipart import UploadedFile
from brubeck.testing import TestClient

MAX_BODY = 512 * 1024
KEEP = 10
UPLOADS: collections.OrderedDict[str, tuple[str, UploadedFile]] = collections.OrderedDict()
HTML = {"Content-Type": "text/html; charset=utf-8"}

FORM = """<!DOCTYPE html>
<title>Uploads</title>
<form method="post" enctype="multipart/form-data">
  <input name="note" placeholder="a note"> <input type="file" name="data" multiple>
  <button>Upload</button>
</form>
<ul>{items}</ul>
"""


class UploadHandler(WebMessageHandler):
    def get(self) -> Any:
        """The form, and the files kept so far."""
        items = "".join(
            f'<li><a href="/files/{urllib.parse.quote(name)}">{html.escape(name)}</a>'
            f" ({len(upload.body)} bytes, {html.escape(upload.content_type)}):"
            f" {html.escape(note)}</li>"
            for name, (note, upload) in UPLOADS.items()
        )
        self.set_body(FORM.format(items=items), headers=HTML)
        return self.render()

    def post(self) -> Any:
        """Keep the uploaded files, then show the form again."""
        uploads = [upload for upload in self.message.files.get("data", []) if upload.filename]
        if not uploads:
            raise HTTPError(400, "choose a file to upload")
        note = self.get_argument("note") or ""
        for upload in uploads:
            UPLOADS.pop(upload.filename, None)
            UPLOADS[upload.filename] = (note, upload)
        while len(UPLOADS) > KEEP:
            UPLOADS.popitem(last=False)
        return self.redirect("/")

    def upload_start(self) -> Any:
        """Mongrel2 began spooling a body over its limit to disk: refuse it now."""
        self.set_body("That file is too large.", status_code=413)
        return self.render()


class FileHandler(WebMessageHandler):
    def get(self, name: str) -> Any:
        """A kept file, as a download: never shown as a page of this site."""
        kept = UPLOADS.get(urllib.parse.unquote(name))
        if kept is None:
            raise HTTPError(404, "no such file")
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Disposition": "attachment",
            "X-Content-Type-Options": "nosniff",
        }
        self.set_body(kept[1].body, headers=headers)
        return self.render()


app = Brubeck(
    handler_tuples=[(r"^/$", UploadHandler), (r"^/files/([^/]+)$", FileHandler)],
    max_body_size=MAX_BODY,
)


def main() -> None:
    client = TestClient(app)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"  # not text: arrives as bytes
    files = {"data": ("../../word.png", png, "image/png")}
    sent = client.post("/", data={"note": "a word"}, files=files)
    print(f"POST / (word.png) -> {sent.status}, Location: {sent.headers['Location']}")
    for line in client.get("/").text.splitlines():
        if "<li>" in line:
            print(f"  {line}")
    back = client.get("/files/word.png")
    print(f"GET /files/word.png -> {back.status}, the same bytes: {back.body == png}")
    too_big = {"data": ("big.bin", b"\0" * (MAX_BODY + 1))}
    print(f"POST / (over {MAX_BODY} bytes) -> {client.post('/', files=too_big).status}")
    print(f"POST / (no file) -> {client.post('/', data={'note': 'x'}).status}")


if __name__ == "__main__":
    main()
