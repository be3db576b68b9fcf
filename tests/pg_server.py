"""A PostgreSQL server for the tests: the one ``OSTANDARI_TEST_PG_URL`` names, or a throwaway cluster.

- ``PgServer.from_environment()``: with ``OSTANDARI_TEST_PG_URL`` set (any database on the server, e.g.
  ``postgresql+psycopg://postgres@127.0.0.1:5433/postgres``) that server is used. Otherwise a throwaway
  cluster is made with Debian's ``initdb`` and ``postgres`` (PATH or /usr/lib/postgresql/*/bin) in a
  temporary folder (in RAM when there is room): trust authentication on 127.0.0.1 and a free port, durability
  off (fsync, synchronous_commit, full_page_writes). PostgreSQL refuses to run as root, so a root session runs
  them as the ``postgres`` user, in a folder that user owns. When no server can be had it raises
  ``PgUnavailable`` with one sentence saying why (the tests then skip with that sentence).
- ``server.create_database(name, template=None)`` / ``drop_database(name)`` / ``url(name)``; ``stop()``
  drops what it created and stops a throwaway cluster.
- ``unique_prefix()``: database names of this process (other sessions share the development server).

A fresh database per test is copied from a migrated template. Measured on a throwaway cluster in RAM (the
machine busy with other tests): ``CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`` 47–49 ms, WAL_LOG
56–61 ms, ``DROP DATABASE`` ≈ 20 ms; ``TRUNCATE`` of the 35 tables of one shared database 66 ms, and it
would share the schema between tests (some drop an index or a trigger) and wait on any connection a test
left open. So: FILE_COPY from the template. The same cluster on this machine's disk took 1.1 s per copy.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

URL_VARIABLE = "OSTANDARI_TEST_PG_URL"
SKIPPED = "PostgreSQL tests skipped: "
COPY_STRATEGY = "FILE_COPY"
RAM_FOLDER_NEEDS = 1 << 30  # a cluster, its template and a few test databases at once, with room to spare


class PgUnavailable(Exception):
    """No PostgreSQL server for the tests; the message says why in one line."""


def unique_prefix() -> str:
    """``odt_<pid>_<random>``: names no other process (nor an earlier run of this one) uses."""
    return f"odt_{os.getpid()}_{secrets.token_hex(3)}"


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``postgres``: the PATH's, else the newest Debian version's (Debian
    puts only wrappers on the PATH: ``initdb`` there may be a link into /usr/lib/postgresql/<version>/bin)."""
    found = shutil.which("initdb")
    if found:
        folder = Path(os.path.realpath(found)).parent
        if (folder / "postgres").exists():
            return folder
    candidates = [
        Path(p)
        for p in glob.glob("/usr/lib/postgresql/*/bin")
        if (Path(p) / "initdb").exists() and (Path(p) / "postgres").exists()
    ]
    candidates.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _quoted(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"unexpected database name {name!r}")
    return f'"{name}"'


class PgServer:
    """A reachable server: ``base_url`` is an SQLAlchemy URL (psycopg driver) of any database on it."""

    def __init__(self, base_url: str, cluster: Cluster | None = None) -> None:
        from sqlalchemy.engine import make_url

        url = make_url(base_url)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        self._url = url
        self.cluster = cluster
        self._created: list[str] = []
        self._admin = None

    @classmethod
    def from_environment(cls, base_dir: Path | None = None) -> PgServer:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise PgUnavailable(SKIPPED + "psycopg is not installed (pip install -e .)") from None
        given = os.environ.get(URL_VARIABLE)
        if given:
            server = cls(given)
            try:
                server._connect()
            except Exception as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise PgUnavailable(SKIPPED + f"cannot connect to {URL_VARIABLE} ({first})") from exc
            return server
        cluster = Cluster.start(base_dir)
        server = cls(cluster.url, cluster)
        try:
            server._connect()
        except Exception as exc:
            cluster.stop()
            raise PgUnavailable(SKIPPED + f"the throwaway cluster does not answer ({exc})") from exc
        return server

    # --- databases -------------------------------------------------------------------------------------

    def url(self, database: str) -> str:
        return self._url.set(database=database).render_as_string(hide_password=False)

    def _connect(self):
        import psycopg

        if self._admin is None or self._admin.closed or self._admin.broken:
            url = self._url
            self._admin = psycopg.connect(
                host=url.host or None,
                port=url.port or 5432,
                user=url.username or None,
                password=url.password or None,
                dbname=url.database or "postgres",
                autocommit=True,
                connect_timeout=10,
            )
        return self._admin

    def _execute(self, sql: str) -> None:
        """Run ``sql`` on the maintenance connection, connecting again once if it was lost (a test may end
        server sessions)."""
        import psycopg

        try:
            self._connect().execute(sql)
        except psycopg.OperationalError:
            if self._admin is not None and not self._admin.closed and not self._admin.broken:
                raise
            self._admin = None
            self._connect().execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database ``name`` (a copy of ``template``, else an empty UTF-8 one); returns its URL."""
        if template:
            sql = f"CREATE DATABASE {_quoted(name)} TEMPLATE {_quoted(template)} STRATEGY {COPY_STRATEGY}"
        else:
            sql = f"CREATE DATABASE {_quoted(name)} TEMPLATE template0 ENCODING 'UTF8'"
        self._execute(sql)
        self._created.append(name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name`` even when a connection a test left open still uses it."""
        self._execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
        if name in self._created:
            self._created.remove(name)

    def stop(self) -> None:
        """Drop every database this object created (newest first), then stop a throwaway cluster."""
        try:
            if self.cluster is None:
                for name in reversed(list(self._created)):
                    with contextlib.suppress(Exception):
                        self.drop_database(name)
            if self._admin is not None:
                self._admin.close()
        finally:
            if self.cluster is not None:
                self.cluster.stop()


class Cluster:
    """A throwaway cluster in a temporary folder, its server a child of this process run by a non-root user.

    The server is started as a child (not daemonized by ``pg_ctl start``) with a parent-death signal: when the
    test session is killed (a ``timeout``, Ctrl-C twice) the kernel stops the server with it, instead of
    leaving a cluster running. Folders of sessions that are gone are removed by the next session.
    """

    PREFIX = "ostandari-pg-"

    def __init__(self, folder: Path, binaries: Path, as_user: str | None) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.binaries = binaries
        self.as_user = as_user
        self.port = 0
        self.url = ""
        self.process: subprocess.Popen | None = None

    @classmethod
    def start(cls, base_dir: Path | None = None) -> Cluster:
        binaries = find_binaries()
        if binaries is None:
            raise PgUnavailable(SKIPPED + "initdb not found (install Debian's postgresql package)")
        as_user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PgUnavailable(
                    SKIPPED + "running as root and there is no 'postgres' user to run initdb and the server"
                ) from None
            as_user = "postgres"
        base = Path(base_dir) if base_dir else _fast_folder()
        _remove_abandoned(base)
        # Not under pytest's own temporary folder: it is private to root (0700) when the tests run as root.
        folder = Path(tempfile.mkdtemp(prefix=f"{cls.PREFIX}{os.getpid()}-", dir=base))
        if as_user:
            entry = pwd.getpwnam(as_user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        cluster = cls(folder, binaries, as_user)
        atexit.register(cluster.stop)  # the session fixture stops it; this is for an interrupted session
        try:
            cluster._initdb()
            cluster._start()
        except PgUnavailable:
            cluster.stop()
            raise
        return cluster

    def _run(self, *args: str, timeout: float = 120) -> None:
        try:
            done = subprocess.run(
                [str(self.binaries / args[0]), *args[1:]],
                cwd=self.folder,
                user=self.as_user,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise PgUnavailable(SKIPPED + f"{args[0]} failed ({exc})") from exc
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise PgUnavailable(SKIPPED + f"{args[0]} failed ({said[-1] if said else done.returncode})")

    def _initdb(self) -> None:
        common = ("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        try:
            self._run(*common, "--locale=C.UTF-8")
        except PgUnavailable:  # no C.UTF-8 locale on this system
            shutil.rmtree(self.data, ignore_errors=True)
            self._run(*common, "--locale=C")

    def _start(self) -> None:
        for attempt in range(3):
            self.port = _free_port()
            self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
            if self._serve():
                return
            if attempt == 2:
                said = (self.folder / "server.log").read_text(errors="replace").strip().splitlines()
                raise PgUnavailable(SKIPPED + f"the server did not start ({said[-1] if said else 'no log'})")
            # the port was taken between choosing and binding it: another one

    def _serve(self) -> bool:
        """Start the server on ``self.port``; True once it accepts connections, False when it exited."""
        import psycopg

        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.folder),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "32MB",
            "max_connections": "100",
            # no parallel workers: the tests' tables are small, the CI machine has two cores, and their shared
            # memory would come from a container's 64 MB /dev/shm
            "max_parallel_workers_per_gather": "0",
        }
        command = [str(self.binaries / "postgres"), "-D", str(self.data)]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        with open(self.folder / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.folder,
                user=self.as_user,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches only the session, whose teardown stops the server
                # after the switch to the user (which clears the signal); no thread runs yet at this point
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres").close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        self._halt()
        raise PgUnavailable(SKIPPED + "the server did not accept connections within 60 s")

    def _halt(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # fast shutdown: sessions are ended, no checkpoint wait
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGQUIT)  # immediate shutdown
            self.process.wait(30)

    def stop(self) -> None:
        self._halt()
        shutil.rmtree(self.folder, ignore_errors=True)


def _fast_folder() -> Path:
    """Where a cluster goes: a RAM disk when there is one with room (``/dev/shm``), else the temporary folder.

    On the development machine the disk is mounted with ``discard``: every file a database copy or a drop
    makes or removes waits for the disk, and ``CREATE DATABASE … TEMPLATE`` took 1.1 s there against 49 ms
    in RAM (``DROP DATABASE`` 46 ms against 21 ms). A container's default /dev/shm (64 MB) is too small.
    """
    ram = Path("/dev/shm")
    try:
        if ram.is_dir() and os.access(ram, os.W_OK) and shutil.disk_usage(ram).free >= RAM_FOLDER_NEEDS:
            return ram
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def _die_with_parent() -> None:
    """In the server's process: have the kernel send SIGQUIT (immediate shutdown) when the session dies."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGQUIT)


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PR_SET_PDEATHSIG = 1
_PRCTL = _load_prctl()


def _remove_abandoned(base: Path) -> None:
    """Remove the folders of clusters whose session is gone and whose server no longer runs."""
    for folder in base.glob(f"{Cluster.PREFIX}*-*"):
        owner = folder.name.removeprefix(Cluster.PREFIX).split("-", 1)[0]
        if not owner.isdigit() or _alive(int(owner)):
            continue
        pid_file = folder / "data" / "postmaster.pid"
        try:
            server = int(pid_file.read_text().split()[0]) if pid_file.exists() else 0
        except (OSError, ValueError, IndexError):
            server = 0
        if server and _alive(server):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
