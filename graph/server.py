"""Serve the graph with the real Oxigraph SPARQL server (``oxigraph serve-read-only``).

The ``oxigraph`` binary comes with the PyPI package ``oxigraph`` and sits next to the Python
interpreter (``venv/bin/oxigraph``). :func:`serve_graph` builds a temporary persistent store from the
tables (or uses a store written by ``thbkg build --store DIR``), starts the server, passes SIGINT and
SIGTERM on to it, waits, and removes the temporary store, so no process or folder is left behind.

>>> base_url("127.0.0.1", 7878)
'http://127.0.0.1:7878'
>>> base_url("::1", 80)
'http://[::1]:80'
>>> is_loopback("localhost"), is_loopback("0.0.0.0")
(True, False)
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from thbkg.graph.errors import ThbkgError, UsageError


def find_oxigraph() -> str:
    """Path of the ``oxigraph`` server binary: next to this Python first, then on PATH.

    Raises
    ------
    ThbkgError
        If it is not installed.
    """
    names = ("oxigraph.exe", "oxigraph") if os.name == "nt" else ("oxigraph",)
    for folder in (Path(sys.executable).parent, Path(sys.prefix) / "bin"):
        for name in names:
            candidate = folder / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ThbkgError("the Oxigraph server binary was not found; install it with 'pip install oxigraph' "
                     "(it comes with thbkg's dependencies)")


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def base_url(host: str, port: int) -> str:
    """``http://host:port``, with IPv6 addresses in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def wait_until_ready(url: str, process: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    """Wait until the SPARQL endpoint at *url* (``…/query``) answers ``ASK {}``.

    Raises
    ------
    ThbkgError
        If *process* exits first or the endpoint does not answer in time.
    """
    deadline = time.monotonic() + timeout
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    while True:
        if process is not None and process.poll() is not None:
            raise ThbkgError(f"the Oxigraph server stopped at start-up (exit status {process.returncode})")
        try:
            with urllib.request.urlopen(urllib.request.Request(
                    probe, headers={"Accept": "application/sparql-results+json"}), timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            raise ThbkgError(f"the Oxigraph server did not answer at {url} within {timeout:g} s")
        time.sleep(0.05)


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens on *host*:*port* (a bind with SO_REUSEADDR fails)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host.strip("[]"), port))
    except OSError:
        return True
    return False


def _log_target():
    """Our stderr for the server's log when it is a real file descriptor (not under test runners)."""
    try:
        sys.stderr.fileno()
        return sys.stderr
    except (AttributeError, OSError, ValueError):
        return subprocess.DEVNULL


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop *process*: SIGTERM, then SIGKILL if it has not exited after *timeout* seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_command(location, host: str, port: int, *, read_only: bool = True,
                   query_timeout: int | None = None) -> list[str]:
    """The ``oxigraph serve[-read-only] --location DIR --bind host:port`` command line."""
    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
    command = [find_oxigraph(), "serve-read-only" if read_only else "serve",
               "--location", str(location), "--bind", bind]
    if query_timeout:
        command += ["--timeout-s", str(int(query_timeout))]
    return command


def serve_graph(*, host: str = "127.0.0.1", port: int = 7878, store_dir=None, data_dirs=(),
                include_bundled=None, query_timeout: int | None = None, echo=print,
                ready_timeout: float = 30.0) -> int:
    """Run the read-only Oxigraph server on the graph until it is stopped; return its exit status.

    Parameters
    ----------
    host, port : str, int
        Where to listen (loopback by default; other addresses get a warning).
    store_dir : str, optional
        A persistent store written by ``thbkg build --store DIR``; default: a temporary store built
        from the tables (bundled + *data_dirs*), deleted on exit.
    echo : callable
        ``echo(message, err=False)`` for the messages.

    Returns
    -------
    int
        0 when stopped by SIGINT/SIGTERM (or when the server exits cleanly), else the server's status.
    """
    from thbkg.graph.source import STORE_MARKER, write_store

    if not is_loopback(host):
        echo(f"Warning: listening on {host}, not loopback: anyone who can reach this machine on port "
             f"{port} can read the graph.", err=True)
    temp_dir = None
    process = None
    stop_signal = []
    previous = {}
    try:
        if port_in_use(host, port):
            raise ThbkgError(f"port {port} on {host} is in use (another server?); choose another with --port")
        if store_dir:
            location = Path(store_dir)
            if not (location / STORE_MARKER).is_file():
                raise UsageError(f"{store_dir} is not a thbkg store (write one with "
                                 f"'thbkg build --store {store_dir}')")
        else:
            temp_dir = Path(tempfile.mkdtemp(prefix="thbkg-serve-"))
            location = temp_dir / "store"
            echo("Building the graph store…", err=True)
            report = write_store(location, data_dirs, include_bundled=include_bundled)
            echo(f"Built a temporary store with {report['triples']} triples.", err=True)
        command = server_command(location, host, port, query_timeout=query_timeout)

        def forward(signum, frame):
            stop_signal.append(signum)
            if process is not None and process.poll() is None:
                process.send_signal(signum)

        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, forward)
        # the server's own log goes to our stderr; its stdout too (it prints nothing useful there)
        process = subprocess.Popen(command, stdout=_log_target(), stderr=_log_target(),
                                   stdin=subprocess.DEVNULL)
        url = base_url(host if host not in ("0.0.0.0", "::") else "127.0.0.1", port)
        try:
            wait_until_ready(url + "/query", process, timeout=ready_timeout)
        except ThbkgError:
            if stop_signal:
                return 0
            raise ThbkgError(f"the Oxigraph server could not start on {host}:{port} (is the port in "
                             "use? try --port); its messages are above") from None
        echo(f"SPARQL query endpoint: {url}/query  (read-only; updates are refused)")
        echo(f"Query page:            {url}/")
        echo("Press Ctrl-C to stop.", err=True)
        while True:
            try:
                code = process.wait()
                break
            except KeyboardInterrupt:  # a handler raced us; keep waiting for the server to stop
                continue
        if stop_signal:
            echo("Server stopped.", err=True)
            return 0
        return code
    finally:
        if process is not None:
            stop_process(process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
