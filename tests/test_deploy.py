"""brubeck.deploy: the mongrel2.conf Brubeck writes, and a local Mongrel2 to run it.

The LocalMongrel2 tests need Debian's ``mongrel2-core`` (``mongrel2`` and ``m2sh``)
and are skipped without it. Every Mongrel2 a test starts is stopped by it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brubeck.deploy import (
    PACKAGE,
    LocalMongrel2,
    Mongrel2Config,
    Mongrel2Error,
    Mongrel2NotInstalled,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config_on_free_ports(**changes: Any) -> Mongrel2Config:
    return Mongrel2Config(
        port=free_port(),
        send_spec=f"tcp://127.0.0.1:{free_port()}",
        recv_spec=f"tcp://127.0.0.1:{free_port()}",
        **changes,
    )


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting for its parent, here
    possibly an init that reaps late, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # no /proc
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


# -- Mongrel2Config ----------------------------------------------------------------------


def test_config_defaults() -> None:
    config = Mongrel2Config()
    assert config.host == "127.0.0.1"
    assert config.port == 6767
    assert config.send_spec == "tcp://127.0.0.1:9999"
    assert config.recv_spec == "tcp://127.0.0.1:9998"
    assert config.protocol == "json"
    assert config.content_length == 1024 * 1024
    assert config.name == "brubeck"
    assert str(uuid.UUID(config.server_uuid)) == config.server_uuid
    assert str(uuid.UUID(config.send_ident)) == config.send_ident
    assert config.server_uuid != config.send_ident


def test_config_default_uuids_differ_per_instance() -> None:
    first, second = Mongrel2Config(), Mongrel2Config()
    assert first.server_uuid != second.server_uuid
    assert first.send_ident != second.send_ident


def test_config_is_frozen() -> None:
    config = Mongrel2Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.port = 1  # type: ignore[misc]


def test_config_pair() -> None:
    config = Mongrel2Config(send_spec="tcp://127.0.0.1:1", recv_spec="ipc:///tmp/x")
    assert config.pair == ("tcp://127.0.0.1:1", "ipc:///tmp/x")


@pytest.mark.parametrize("protocol", ["json", "tnetstring"])
def test_config_protocols(protocol: str) -> None:
    assert Mongrel2Config(protocol=protocol).protocol == protocol


@pytest.mark.parametrize("protocol", ["", "JSON", "msgpack", "tnetstrings", "json "])
def test_config_bad_protocol(protocol: str) -> None:
    with pytest.raises(ValueError, match="protocol"):
        Mongrel2Config(protocol=protocol)


@pytest.mark.parametrize("port", [1, 80, 65535])
def test_config_good_ports(port: int) -> None:
    assert Mongrel2Config(port=port).port == port


@pytest.mark.parametrize("port", [0, -1, 65536, 70000])
def test_config_bad_port(port: int) -> None:
    with pytest.raises(ValueError, match="not a port"):
        Mongrel2Config(port=port)


STRING_FIELDS = ["host", "send_spec", "recv_spec", "server_uuid", "send_ident", "name"]


@pytest.mark.parametrize("field", STRING_FIELDS)
@pytest.mark.parametrize(
    "bad",
    ['a"b', "a'b", "a\\b", "a\nb", "a\rb", "", '"'],
    ids=["double-quote", "single-quote", "backslash", "newline", "return", "empty", "only-quote"],
)
def test_config_refuses_values_that_would_break_the_file(field: str, bad: str) -> None:
    changes: dict[str, Any] = {field: bad}
    with pytest.raises(ValueError, match=field):
        Mongrel2Config(**changes)


def test_render_holds_the_settings() -> None:
    config = Mongrel2Config(
        host="0.0.0.0",
        port=8123,
        send_spec="tcp://127.0.0.1:7001",
        recv_spec="tcp://127.0.0.1:7002",
        protocol="tnetstring",
        content_length=4096,
        server_uuid="f400bf85-4538-4f7a-8908-67e313d515c2",
        send_ident="54c6755b-9628-40a4-9a2d-cc82a816345e",
        name="myapp",
    )
    text = config.render()
    assert 'send_spec="tcp://127.0.0.1:7001"' in text
    assert 'recv_spec="tcp://127.0.0.1:7002"' in text
    assert 'send_ident="54c6755b-9628-40a4-9a2d-cc82a816345e"' in text
    assert 'protocol="tnetstring"' in text
    assert 'uuid="f400bf85-4538-4f7a-8908-67e313d515c2"' in text
    assert 'name="myapp"' in text
    assert 'bind_addr="0.0.0.0"' in text
    assert "port=8123," in text
    assert '"limits.content_length": 4096' in text
    assert '"upload.temp_store": "tmp/mongrel2.upload.XXXXXX"' in text
    assert 'pid_file="run/mongrel2.pid"' in text
    assert 'error_log="logs/error.log"' in text
    assert "servers = [main]" in text


def test_render_default_protocol_and_a_route_for_every_path() -> None:
    config = Mongrel2Config()
    text = config.render()
    assert 'protocol="json"' in text
    assert f'uuid="{config.server_uuid}"' in text
    assert "port=6767," in text
    assert 'routes={"/": brubeck_handler}' in text
    assert text.count("Handler(") == 1


def test_render_extra_settings_add_to_and_override_the_defaults() -> None:
    config = Mongrel2Config(
        settings={"superpoll.max_fd": 30000, "zeromq.threads": 2, "upload.temp_store_mode": "0640"}
    )
    text = config.render()
    assert '"superpoll.max_fd": 30000' in text
    assert '"zeromq.threads": 2' in text
    assert '"zeromq.threads": 1' not in text
    assert '"upload.temp_store_mode": "0640"' in text
    assert '"limits.content_length": 1048576' in text


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("max_fd", 1),  # no dot: not a setting name
        ("Limits.X", 1),
        ('a.b": 1, "c.d', 1),
        ("limits.x", True),
        ("limits.x", 1.5),
        ("limits.x", 'a"b'),
        ("limits.x", "a\nb"),
    ],
)
def test_config_refuses_bad_extra_settings(key: str, value: Any) -> None:
    with pytest.raises(ValueError, match="setting"):
        Mongrel2Config(settings={key: value})


def test_render_differs_per_config() -> None:
    assert Mongrel2Config(port=1000).render() != Mongrel2Config(port=1000).render()  # uuids


# -- LocalMongrel2 without Mongrel2 ------------------------------------------------------


def test_paths(tmp_path: Path) -> None:
    local = LocalMongrel2(tmp_path / "m2", Mongrel2Config())
    run_dir = (tmp_path / "m2").resolve()
    assert local.run_dir == run_dir
    assert local.upload_dir == str(run_dir / "tmp")
    assert local.pid_file == run_dir / "run" / "mongrel2.pid"
    assert local.error_log == run_dir / "logs" / "error.log"


def test_relative_run_dir_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    local = LocalMongrel2("m2", Mongrel2Config())
    assert local.run_dir == tmp_path.resolve() / "m2"
    assert local.run_dir.is_absolute()


def test_not_running(tmp_path: Path) -> None:
    local = LocalMongrel2(tmp_path, Mongrel2Config())
    assert local.pid() is None
    local.stop()  # nothing to stop
    assert local.log_tail() == "(no error log)"


def test_pid_ignores_a_stale_or_broken_pid_file(tmp_path: Path) -> None:
    local = LocalMongrel2(tmp_path, Mongrel2Config())
    local.pid_file.parent.mkdir()
    local.pid_file.write_text("not a number\n")
    assert local.pid() is None
    local.pid_file.write_text(f"{2**22 + 1}\n")  # above Linux's pid_max: no such process
    assert local.pid() is None
    local.pid_file.write_text(f"{os.getpid()}\n")  # a live process
    assert local.pid() == os.getpid()


def test_log_tail(tmp_path: Path) -> None:
    local = LocalMongrel2(tmp_path, Mongrel2Config())
    local.error_log.parent.mkdir()
    local.error_log.write_text("".join(f"line {n}\n" for n in range(50)))
    assert local.log_tail(3) == "line 47\nline 48\nline 49"
    assert local.log_tail().splitlines() == [f"line {n}" for n in range(20, 50)]


def test_prepare_without_mongrel2_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    local = LocalMongrel2(tmp_path / "m2", Mongrel2Config())
    with pytest.raises(Mongrel2NotInstalled, match="mongrel2-core") as caught:
        local.prepare()
    assert isinstance(caught.value, Mongrel2Error)
    assert PACKAGE == "mongrel2-core"
    assert "m2sh" in str(caught.value)


def test_start_without_mongrel2_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    local = LocalMongrel2(tmp_path / "m2", Mongrel2Config())
    with pytest.raises(Mongrel2NotInstalled, match="mongrel2-core"):
        local.start()
    assert local.pid() is None


# -- LocalMongrel2 with a real Mongrel2 --------------------------------------------------


@pytest.fixture
def mongrel2(tmp_path: Path) -> Iterator[LocalMongrel2]:
    """A LocalMongrel2 on free ports (not started); stopped after the test."""
    if shutil.which("mongrel2") is None or shutil.which("m2sh") is None:
        pytest.skip("Mongrel2 is not installed (apt-get install mongrel2-core)")
    local = LocalMongrel2(tmp_path / "m2", config_on_free_ports())
    try:
        yield local
    finally:
        local.stop()


def test_prepare_creates_the_layout(mongrel2: LocalMongrel2) -> None:
    mongrel2.prepare()
    run_dir = mongrel2.run_dir
    for sub in ("run", "logs", "tmp"):
        assert (run_dir / sub).is_dir()
    assert (run_dir / "mongrel2.conf").read_text(encoding="utf-8") == mongrel2.config.render()
    database = run_dir / "config.sqlite"
    assert database.is_file()
    assert database.read_bytes().startswith(b"SQLite format 3\x00")
    assert mongrel2.pid() is None  # prepared, not started


def test_prepare_loads_extra_settings(tmp_path: Path) -> None:
    if shutil.which("m2sh") is None:
        pytest.skip("Mongrel2 is not installed (apt-get install mongrel2-core)")
    local = LocalMongrel2(
        tmp_path / "m2", config_on_free_ports(settings={"superpoll.max_fd": 4321})
    )
    local.prepare()
    with contextlib.closing(sqlite3.connect(local.run_dir / "config.sqlite")) as db:
        rows = dict(db.execute("SELECT key, value FROM setting").fetchall())
    assert rows["superpoll.max_fd"] == "4321"
    assert rows["zeromq.threads"] == "1"


def test_prepare_twice_reloads(mongrel2: LocalMongrel2) -> None:
    mongrel2.prepare()
    mongrel2.prepare()
    assert (mongrel2.run_dir / "config.sqlite").is_file()


class UnloadableConfig(Mongrel2Config):
    def render(self) -> str:
        return "main = Server(uuid=\n"


def test_prepare_reports_a_failing_m2sh(mongrel2: LocalMongrel2, tmp_path: Path) -> None:
    """m2sh refusing the configuration is a Mongrel2Error, and no database is left."""
    broken = LocalMongrel2(tmp_path / "broken", UnloadableConfig())
    with pytest.raises(Mongrel2Error, match="m2sh load failed"):
        broken.prepare()
    assert not (broken.run_dir / "config.sqlite").exists()
    with pytest.raises(Mongrel2Error, match="m2sh load failed"):
        broken.start()
    assert broken.pid() is None


def test_start_and_stop(mongrel2: LocalMongrel2) -> None:
    pid = mongrel2.start()
    assert isinstance(pid, int) and pid > 0
    assert mongrel2.pid() == pid
    assert accepts(mongrel2.config.port)
    assert (mongrel2.run_dir / "config.sqlite").is_file()  # start() prepared it
    assert mongrel2.log_tail()  # Mongrel2 logged its start
    assert isinstance(mongrel2.log_tail(), str)
    assert len(mongrel2.log_tail(2).splitlines()) <= 2

    mongrel2.stop()
    assert mongrel2.pid() is None
    assert not mongrel2.pid_file.exists()
    assert not alive(pid)
    assert not accepts(mongrel2.config.port)


def our_children() -> set[int]:
    """The pids of this process's children, zombies included (Linux /proc)."""
    children: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        with contextlib.suppress(OSError):
            children.update(int(pid) for pid in (task / "children").read_text().split())
    return children


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task").is_dir(), reason="needs Linux /proc")
def test_start_leaves_no_launcher_behind(mongrel2: LocalMongrel2) -> None:
    """Started as root, Mongrel2 forks into the background; the process start()
    launched exits and must be reaped there (an unreaped one is a zombie and a
    ResourceWarning when its Popen is collected). Otherwise it is the server."""
    before = our_children()
    pid = mongrel2.start()
    assert our_children() - before <= {pid}
    mongrel2.stop()
    assert our_children() - before == set()


def test_start_twice_fails(mongrel2: LocalMongrel2) -> None:
    pid = mongrel2.start()
    with pytest.raises(Mongrel2Error, match=f"already runs.*pid {pid}"):
        mongrel2.start()
    assert mongrel2.pid() == pid  # the first one still runs


def test_restart(mongrel2: LocalMongrel2) -> None:
    first = mongrel2.start()
    mongrel2.stop()
    second = mongrel2.start()
    assert second != first
    assert mongrel2.pid() == second
    assert accepts(mongrel2.config.port)


def test_start_after_prepare(mongrel2: LocalMongrel2) -> None:
    mongrel2.prepare()
    pid = mongrel2.start()
    assert mongrel2.pid() == pid
    assert accepts(mongrel2.config.port)


def test_start_fails_on_a_taken_port(mongrel2: LocalMongrel2) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", mongrel2.config.port))
        taken.listen()
        with pytest.raises(Mongrel2Error, match="mongrel2 exited with"):
            mongrel2.start(timeout=3)
    assert mongrel2.pid() is None
