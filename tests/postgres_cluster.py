"""A private, throwaway PostgreSQL server, for tests that stop and restart the database.

The machine's shared server (127.0.0.1:5432, `tests/postgres.py`) must keep running for
everyone else, so a test that restarts a database gets a cluster of its own: `initdb` into
a new temporary folder, trust authentication, listening on 127.0.0.1 only, on a free
port, its unix socket in that folder. As root, every server command runs as the `postgres`
OS user (`runuser -u postgres --`: initdb refuses to run as root), and the folder belongs
to that user. `close()` stops the server (immediately, if a fast stop does not finish) and
removes the folder; every wait is bounded.

Without PostgreSQL's server programs (`/usr/lib/postgresql/*/bin/initdb`, or `initdb` on
the PATH) the tests that need one skip, saying how to install them; under `CI=true` they
fail instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

STOP_WAIT = 20  # seconds pg_ctl waits for a stop or a start before giving up


def server_programs() -> Path | None:
    """The folder of the newest installed `initdb` and `pg_ctl`, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl", path=str(Path(on_path).parent)) else None


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


class PrivateCluster:
    """A PostgreSQL server of this test run's own, at `url` (user `postgres`, database `postgres`).

    `stop()` (fast: sessions are ended, everything committed is kept), `start()` and
    `restart()` act on the real server; `close()` ends it for good and removes its files.
    """

    def __init__(self, programs: Path):
        self.programs = programs
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.folder = Path(tempfile.mkdtemp(prefix="rules-engine-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()  # kept across restarts: the server rebinds it (SO_REUSEADDR)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        try:
            if self.as_owner:
                shutil.chown(self.folder, user="postgres", group="postgres")
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            )
            with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
                conf.write(
                    f"\n# rules-engine tests: a private server\nlisten_addresses = '127.0.0.1'\n"
                    f"port = {self.port}\nunix_socket_directories = '{self.folder}'\n"
                    f"max_connections = 40\nshared_buffers = 16MB\nfsync = off\n"
                )
            self.start()
        except BaseException:
            self.close()
            raise

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            [*self.as_owner, str(self.programs / program), *args],
            check=False,  # the exit status is read below
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.folder,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{self._log_tail()}"
            )

    def _log_tail(self) -> str:
        try:
            return "\nserver log:\n" + "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return ""

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run(
            "pg_ctl",
            "start",
            "--wait",
            f"--timeout={STOP_WAIT}",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            timeout=STOP_WAIT + 10,
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` ends every session and rolls back open transactions."""
        self._run(
            "pg_ctl",
            "stop",
            "--wait",
            f"--timeout={STOP_WAIT}",
            "-D",
            str(self.data),
            "-m",
            mode,
            timeout=STOP_WAIT + 10,
        )

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server whatever state it is in, and remove its files."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("fast")
            except (RuntimeError, subprocess.TimeoutExpired):
                self._kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _kill(self) -> None:
        """The last resort: SIGKILL the postmaster named in its pid file; its children then exit."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                return
            time.sleep(0.05)


def private_cluster() -> PrivateCluster:
    """A new private cluster, or a skip (a failure under `CI=true`) saying how to get one."""
    programs = server_programs()
    if programs is None:
        missing = "no PostgreSQL server programs (initdb, pg_ctl under /usr/lib/postgresql/*/bin or on the PATH)"
    elif os.geteuid() == 0 and not (has_user("postgres") and shutil.which("runuser")):
        missing = "running as root, but no `postgres` OS user or no `runuser` to run the server as"
    else:
        return PrivateCluster(programs)
    message = (
        f"{missing}; to run the tests that restart a database, install PostgreSQL's server "
        f"(Debian: apt-get install postgresql, which adds the `postgres` user)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
