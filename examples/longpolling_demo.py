"""Long polling: Brubeck 0.4's ``demo_longpolling`` on this API.

``GET /feed?since=N`` answers at once when there are messages after the
first ``N``; otherwise it waits, up to ``POLL_SECONDS``, for the next
``POST /feed`` (``text=...``), then answers ``{"messages": [...], "next": M}``
(poll again with ``since=M``). ``GET /`` is a page that polls in a loop.

A waiting request parks its green thread on a queue from the concurrency
backend the app runs on; other requests run meanwhile, and a waiting one
costs no CPU. It holds a place in the app's pool (``Brubeck(pool=...)``), and
behind Mongrel2 it must answer within ``limits.min_ping`` (120 s). 0.4's demo
slept two seconds with ``gevent.sleep`` or ``eventlet.sleep``; a handler that
only needs to pause calls ``brubeck.concurrency.sleep(seconds)``, which sleeps
in whichever backend the app runs on.

Behind Mongrel2 there is another way, 0.4's: a verb method returns ``None``
(no reply now), keeps ``self.message``, and a later request answers it through
the connection, ``self.application.msg_conn.reply(message, http_response(body,
200, "OK", headers))`` (``reply_bulk`` for many at once). That holds no green
thread, but the embedded WSGI server and services need a reply at once: for
them ``None`` is a 500.

Run it with ``python examples/longpolling_demo.py`` (requests through the
in-process client, in green threads), or serve it with
``brubeck run examples.longpolling_demo:app --wsgi 127.0.0.1:6767`` (or behind
Mongrel2 with ``--mongrel2``), open http://127.0.0.1:6767/ in two windows
and type in one.
"""

from __future__ import annotations

import collections
import time
from typing import Any

from brubeck import concurrency
from brubeck.app import Brubeck
from brubeck.errors import HTTPError
from brubeck.handlers import JSONMessageHandler, WebMessageHandler
from brubeck.testing import TestClient

#: How long a poll waits for news before it answers with none.
POLL_SECONDS = 20.0


class Feed:
    """The latest messages, and the requests waiting for the next one."""

    def __init__(self, keep: int = 100) -> None:
        self.messages: collections.deque[str] = collections.deque(maxlen=keep)
        self.count = 0  # messages published so far
        self.waiting: list[concurrency.Queue] = []

    def since(self, cursor: int) -> list[str]:
        """The messages after the first ``cursor`` (those still kept)."""
        missed = min(max(self.count - cursor, 0), len(self.messages))
        return list(self.messages)[len(self.messages) - missed :]

    def wait(self, cursor: int, seconds: float) -> None:
        """Return once there are messages after ``cursor``, or ``seconds`` passed."""
        if cursor < self.count:
            return
        backend = concurrency.get_backend()  # the one the app serves with
        wake = backend.queue()
        self.waiting.append(wake)
        try:
            with backend.timeout(seconds):
                wake.get()
        except TimeoutError:
            pass
        finally:
            self.waiting.remove(wake)

    def publish(self, text: str) -> None:
        """Add a message and wake every waiting request."""
        self.messages.append(text)
        self.count += 1
        for wake in self.waiting:
            wake.put(None)


FEED = Feed()


class FeedHandler(JSONMessageHandler):
    def get(self) -> Any:
        """The messages after ``since``, waiting for some if there are none yet."""
        try:
            cursor = int(self.get_argument("since") or 0)
        except ValueError:
            raise HTTPError(400, "since must be a number") from None
        FEED.wait(cursor, POLL_SECONDS)
        self.add_to_payload("messages", FEED.since(cursor))
        self.add_to_payload("next", FEED.count)
        return self.render(status_code=200)

    def post(self) -> Any:
        """Publish the ``text`` argument."""
        text = (self.get_argument("text") or "")[:500]
        if not text:
            raise HTTPError(400, "text is missing")
        FEED.publish(text)
        self.add_to_payload("next", FEED.count)
        return self.render(status_code=200)


PAGE = """<!DOCTYPE html>
<title>Long polling</title>
<form id="say"><input name="text" autofocus> <button>Say</button></form>
<ul id="feed"></ul>
<script>
async function poll(since) {
  try {
    const feed = await (await fetch("/feed?since=" + since)).json();
    for (const text of feed.messages) {
      const item = document.createElement("li");
      item.textContent = text;  // text, never markup
      document.getElementById("feed").append(item);
    }
    poll(feed.next);
  } catch (error) {
    setTimeout(() => poll(since), 2000);  // the server went away: try again soon
  }
}
document.getElementById("say").onsubmit = (event) => {
  event.preventDefault();
  fetch("/feed", {method: "POST", body: new URLSearchParams(new FormData(event.target))});
  event.target.reset();
};
poll(0);
</script>
"""


class PageHandler(WebMessageHandler):
    def get(self) -> Any:
        self.set_body(PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
        return self.render()


app = Brubeck(handler_tuples=[(r"^/feed$", FeedHandler), (r"^/$", PageHandler)])


def main() -> None:
    client = TestClient(app)
    backend = concurrency.get_backend()  # the default, eventlet: no server runs here
    started = time.monotonic()
    answers: list[Any] = []

    def poll() -> None:
        answers.append(client.get("/feed", params={"since": 0}))

    waiting = backend.spawn(poll)
    backend.sleep(0.5)
    print(f"after 0.5 s the poll is still waiting: {not answers}")
    client.post("/feed", data={"text": "take five"})
    waiting.join()
    feed = answers[0].json()
    elapsed = time.monotonic() - started
    print(f"GET /feed?since=0 -> {answers[0].status} after {elapsed:.1f} s: {feed['messages']}")
    again = client.get("/feed", params={"since": 0}).json()
    print(f"GET /feed?since=0 again -> at once: {again['messages']}, next={again['next']}")


if __name__ == "__main__":
    main()
