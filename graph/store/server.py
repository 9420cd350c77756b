"""Serve the graph with the real Oxigraph SPARQL server (``oxigraph serve-read-only``), behind a guard.

The ``oxigraph`` binary comes with the PyPI package ``oxigraph`` and sits next to the Python
interpreter (``venv/bin/oxigraph``). :func:`serve_graph` builds a temporary persistent store from the
tables (or uses a store written by ``thbkg build --store DIR``), starts the server on a private
loopback port, and puts a small HTTP proxy (:class:`GuardProxy`, stdlib ``ThreadingHTTPServer``) on
the address the user asked for.

Why a proxy: ``oxigraph serve-read-only`` (0.5) cannot refuse ``SERVICE``, so any client could make
it send requests to an address of the client's choosing (server-side request forgery), and it has
no limit on the size of an answer. (Its ``--timeout-s`` is set too, as a backstop that stops the
work; on its own it reports a timeout inside a "200 OK" answer.) The proxy does what the binary
cannot:

* every SPARQL text in a request (``query``/``update`` in the URL or a form body, or a
  ``application/sparql-query``/``-update`` body) is scanned with
  :func:`thbkg.graph.store.binder.service_targets`; a ``SERVICE`` is refused with HTTP 400 and a message
  (``--allow-service`` lets it through); a POST whose body cannot be inspected is refused (415);
* an answer is read from Oxigraph up to a size limit (64 MB by default) before anything is sent:
  a larger one is refused with HTTP 413 and a message, never cut short silently;
* a query that runs past its time limit (``--timeout``, 30 s by default) is answered with HTTP 504
  and a message.

Clean-up on every signal: the Oxigraph server runs in its own session and process group (a Ctrl-C
at the terminal reaches only thbkg, which stops it in order). SIGINT, SIGTERM and SIGHUP stop the
proxy, then the server (SIGTERM, then SIGKILL), then remove the temporary store. For SIGKILL of thbkg,
which no handler sees, the server gets a parent-death signal (Linux ``prctl(PR_SET_PDEATHSIG)``),
and the temporary store, named by :func:`thbkg.graph.io.temp_name` in
``$TMPDIR/thbkg-serve-UID/``, is swept by the next ``thbkg serve``.

>>> base_url("127.0.0.1", 7878)
'http://127.0.0.1:7878'
>>> base_url("::1", 80)
'http://[::1]:80'
>>> is_loopback("localhost"), is_loopback("0.0.0.0")
(True, False)
"""

from __future__ import annotations

import http.client
import http.server
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from thbkg.graph.errors import ThbkgError, UsageError

#: default time limit of one query, in seconds (``thbkg serve --timeout``)
DEFAULT_QUERY_TIMEOUT = 30
#: default limit on the size of one answer, in MB (``thbkg serve --max-result-mb``)
DEFAULT_MAX_RESULT_MB = 64
#: the largest request body the proxy accepts (a query, not data: the server is read-only)
MAX_REQUEST_BYTES = 16 * 1024 * 1024
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "content-length", "host"}
_SPARQL_BODIES = {"application/sparql-query", "application/sparql-update"}


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
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, http.client.HTTPException):
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


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def _die_with_parent(parent_pid: int):
    """A ``preexec_fn`` asking Linux to send SIGTERM to the child when thbkg dies, even by SIGKILL."""
    def arm():
        if not sys.platform.startswith("linux"):
            return
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent_pid:  # thbkg died before the signal was armed
            os._exit(1)

    return arm


def start_server(location, port: int, *, query_timeout: int | None) -> subprocess.Popen:
    """Start ``oxigraph serve-read-only`` on 127.0.0.1:*port*, in its own session, dying with thbkg.

    Oxigraph's own time limit is set 2 s after the proxy's, so that the proxy answers first with a
    clear 504 (Oxigraph reports a timeout inside a "200 OK" answer already begun), and Oxigraph then
    stops the work.
    """
    command = server_command(location, "127.0.0.1", port,
                             query_timeout=query_timeout + 2 if query_timeout else None)
    # the server's own log goes to our stderr; its stdout too (it prints nothing useful there).
    # preexec_fn is safe here: serve_graph starts its proxy thread only after this.
    return subprocess.Popen(command, stdout=_log_target(), stderr=_log_target(), stdin=subprocess.DEVNULL,
                            start_new_session=True, preexec_fn=_die_with_parent(os.getpid()))  # noqa: PLW1509


# -- the guard in front of the server ------------------------------------------------------------

class _Refusal(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def sparql_texts(method: str, path: str, headers, body: bytes) -> list[str]:
    """Every SPARQL query or update text carried by one HTTP request (URL, form body or raw body).

    Raises ``_Refusal`` (415) for a POST to a query or update endpoint whose body cannot be read,
    so nothing reaches the server unchecked.

    >>> sparql_texts("GET", "/query?query=ASK%7B%7D&x=1", {}, b"")
    ['ASK{}']
    >>> sparql_texts("POST", "/query", {"Content-Type": "application/sparql-query"}, b"ASK {}")
    ['ASK {}']
    """
    texts = []
    query_string = urllib.parse.urlsplit(path).query
    texts += _form_texts(query_string)
    media = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if method == "POST":
        if media == "application/x-www-form-urlencoded":
            texts += _form_texts(body.decode("utf-8", "replace"))
        elif media in _SPARQL_BODIES:
            texts.append(body.decode("utf-8", "replace"))
        elif urllib.parse.urlsplit(path).path.rstrip("/").rsplit("/", 1)[-1] in ("query", "update", "sparql"):
            raise _Refusal(415, f"thbkg serve reads SPARQL sent as application/sparql-query, "
                                f"application/sparql-update or a form, not {media or 'a body without a type'}")
    return texts


def _form_texts(encoded: str) -> list[str]:
    pairs = urllib.parse.parse_qsl(encoded, keep_blank_values=True, encoding="utf-8", errors="replace")
    return [value for key, value in pairs if key.lower() in ("query", "update")]


class GuardProxy(http.server.ThreadingHTTPServer):
    """The proxy in front of the Oxigraph server (see the module docstring).

    Parameters
    ----------
    address : tuple
        ``(host, port)`` to listen on.
    backend_port : int
        The Oxigraph server's port on 127.0.0.1.
    query_timeout : float
        Seconds a request may take (SERVICE calls included when allowed).
    max_bytes : int
        The largest answer passed on.
    allow_service : bool
        Let ``SERVICE`` through.
    """

    daemon_threads = True

    def __init__(self, address, backend_port: int, *, query_timeout: float, max_bytes: int,
                 allow_service: bool = False):
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        self.backend_port = backend_port
        self.query_timeout = query_timeout
        self.max_bytes = max_bytes
        self.allow_service = allow_service
        super().__init__((address[0].strip("[]"), address[1]), _GuardHandler)


class _GuardHandler(http.server.BaseHTTPRequestHandler):
    server: GuardProxy
    server_version = "thbkg-serve"

    def do_GET(self):  # the names http.server calls
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_GET

    def log_message(self, format, *args):  # Oxigraph logs the requests already
        pass

    def _handle(self):
        try:
            body = self._read_body()
            self._check(sparql_texts(self.command, self.path, self.headers, body))
            status, headers, answer = self._forward(body)
        except _Refusal as refusal:
            self._reply(refusal.status, [("Content-Type", "text/plain; charset=utf-8")],
                        (str(refusal) + "\n").encode("utf-8"))
            return
        self._reply(status, headers, answer)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise _Refusal(411, "send the request with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _Refusal(400, "bad Content-Length") from None
        if length > MAX_REQUEST_BYTES:
            raise _Refusal(413, f"the request is larger than {MAX_REQUEST_BYTES // 2**20} MB")
        return self.rfile.read(length) if length > 0 else b""

    def _check(self, texts) -> None:
        from thbkg.graph.store.binder import service_targets

        for text in texts:
            targets = service_targets(text)
            if targets and not self.server.allow_service:
                raise _Refusal(400, f"SERVICE {targets[0]} would make this server send a request to another "
                                    "server; thbkg serve refuses SERVICE (start it with --allow-service to "
                                    "allow it)")

    def _forward(self, body: bytes):
        """Send the request to Oxigraph; ``(status, headers, body)`` of its answer within the limits."""
        limit = self.server.query_timeout
        deadline = time.monotonic() + limit
        connection = http.client.HTTPConnection("127.0.0.1", self.server.backend_port, timeout=limit)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            sock = connection.sock  # kept: http.client lets go of it when the answer says "close"
            response = connection.getresponse()
            answer = self._read_answer(sock, response, deadline)
            return response.status, [(k, v) for k, v in response.getheaders()
                                     if k.lower() not in _HOP_BY_HOP], answer
        except _Refusal:
            raise
        except TimeoutError:  # socket.timeout too
            raise _Refusal(504, f"the query took more than {limit:g} s, the limit of this server "
                                "(thbkg serve --timeout); narrow it down (filters, LIMIT)") from None
        except Exception as exc:  # whatever went wrong, the client gets an answer
            raise _Refusal(502, f"the Oxigraph server behind thbkg serve failed: {type(exc).__name__}") from None
        finally:
            connection.close()

    def _read_answer(self, sock, response, deadline: float) -> bytes:
        if self.command == "HEAD":
            return b""
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            chunk = response.read1(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.server.max_bytes:
                raise _Refusal(413, f"the answer is larger than {self.server.max_bytes // 2**20} MB, the limit "
                                    "of this server (thbkg serve --max-result-mb); narrow the query down "
                                    "(filters, LIMIT)")
            chunks.append(chunk)

    def _reply(self, status: int, headers, body: bytes) -> None:
        try:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client went away
            pass
        self.close_connection = True


# -- running it ----------------------------------------------------------------------------------

def serve_temp_root() -> Path:
    """``$TMPDIR/thbkg-serve-UID``: where temporary stores live, private to this user."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    root = Path(tempfile.gettempdir()) / f"thbkg-serve-{uid}"
    root.mkdir(mode=0o700, exist_ok=True)
    info = root.lstat()
    if root.is_symlink() or not root.is_dir() or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise ThbkgError(f"{root} is not a private folder of this user; remove it or set TMPDIR to another "
                         "folder")
    return root


def new_run_dir() -> Path:
    """A new private folder for this run's temporary store, after sweeping those of killed runs."""
    from thbkg.graph.io import sweep_stale, temp_name

    root = serve_temp_root()
    sweep_stale(root)  # stores left by a thbkg serve that was killed
    run_dir = root / temp_name("serve")
    run_dir.mkdir(mode=0o700)
    return run_dir


def _temporary_store(run_dir: Path, data_dirs, include_bundled, echo) -> Path:
    """Build the graph into a store in *run_dir*; its location."""
    from thbkg.graph.store.source import write_store

    echo("Building the graph store…", err=True)
    report = write_store(run_dir / "store", data_dirs, include_bundled=include_bundled)
    echo(f"Built a temporary store with {report['triples']} triples.", err=True)
    return run_dir / "store"


def _cached_store(data_dirs, include_bundled, echo) -> Path | None:
    """The store cache's store for these tables (built when missing), or None with the cache off."""
    from thbkg.graph.store.source import tables_entry

    entry = tables_entry(data_dirs, include_bundled, say=lambda words: echo(f"Store cache: {words}…", err=True))
    if entry is None:
        return None
    echo(f"Serving the cached store {entry.key[:12]} ({entry.info()['triples']} triples).", err=True)
    return entry.store_path


def serve_graph(*, host: str = "127.0.0.1", port: int = 7878, store_dir=None, data_dirs=(),
                include_bundled=None, query_timeout: int | None = DEFAULT_QUERY_TIMEOUT,
                max_result_mb: int = DEFAULT_MAX_RESULT_MB, allow_service: bool = False, echo=print,
                ready_timeout: float = 30.0, use_cache: bool = True) -> int:
    """Run the read-only Oxigraph server behind the guard until it is stopped; return the exit status.

    Parameters
    ----------
    host, port : str, int
        Where to listen (loopback by default; other addresses get a warning).
    store_dir : str, optional
        A persistent store written by ``thbkg build --store DIR``; default: the store cache's store
        of the tables (bundled + *data_dirs*), built on first use, or with the cache off
        (*use_cache* False, ``THBKG_NO_CACHE=1``) a temporary store built from them, deleted on exit.
    query_timeout : int, optional
        Seconds one query may take (default 30).
    max_result_mb : int
        The largest answer sent, in MB (default 64).
    allow_service : bool
        Let queries with ``SERVICE`` through (refused by default).
    echo : callable
        ``echo(message, err=False)`` for the messages.

    Returns
    -------
    int
        0 when stopped by SIGINT, SIGTERM or SIGHUP, else the server's exit status. The same
        signals while the store is built or the server starts raise KeyboardInterrupt (after the
        clean-up), which the command line reports as "Interrupted." with exit status 130.
    """
    if not is_loopback(host):
        echo(f"Warning: listening on {host}, not loopback: anyone who can reach this machine on port "
             f"{port} can read the graph.", err=True)
    query_timeout = query_timeout or DEFAULT_QUERY_TIMEOUT
    run_dir = process = proxy = None
    stop = threading.Event()
    previous = {}

    def interrupt(signum, frame):  # while starting: stop at once, through the clean-up below
        raise KeyboardInterrupt

    def on_signal(signum, frame):  # while serving: stop the loop below
        stop.set()

    stop_signals = [sig for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if sig]
    try:
        for sig in stop_signals:
            previous[sig] = signal.signal(sig, interrupt)
        if port_in_use(host, port):
            raise ThbkgError(f"port {port} on {host} is in use (another server?); choose another with --port")
        cached = _cached_store(data_dirs, include_bundled, echo) if use_cache and not store_dir else None
        if store_dir:
            location = _checked_store(store_dir)
        elif cached is not None:
            location = cached
        else:
            run_dir = new_run_dir()
            location = _temporary_store(run_dir, data_dirs, include_bundled, echo)
        backend_port = _free_loopback_port()
        process = start_server(location, backend_port, query_timeout=query_timeout)
        _wait_for_backend(process, backend_port, ready_timeout)
        proxy = _start_proxy(host, port, backend_port, query_timeout, max_result_mb, allow_service)
        for sig in stop_signals:
            signal.signal(sig, on_signal)
        _announce(host, port, query_timeout, max_result_mb, echo)
        while not stop.is_set() and process.poll() is None:
            stop.wait(0.2)
        if stop.is_set():
            echo("Server stopped.", err=True)
            return 0
        return process.returncode
    finally:
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
        if process is not None:
            stop_process(process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)


def _announce(host: str, port: int, query_timeout: int, max_result_mb: int, echo) -> None:
    """Say where the server listens and what its limits are."""
    url = base_url(host if host not in ("0.0.0.0", "::") else "127.0.0.1", port)
    echo(f"SPARQL query endpoint: {url}/query  (read-only; updates and SERVICE are refused)")
    echo(f"Query page:            {url}/")
    echo(f"Limits: {query_timeout} s per query, {max_result_mb} MB per answer. Press Ctrl-C to stop.", err=True)


def _checked_store(store_dir) -> Path:
    """The folder *store_dir*, if it holds a store written by ``thbkg build --store``."""
    from thbkg.graph.store.source import STORE_MARKER

    location = Path(store_dir)
    if not (location / STORE_MARKER).is_file():
        raise UsageError(f"{store_dir} is not a thbkg store (write one with 'thbkg build --store {store_dir}')")
    return location


def _wait_for_backend(process, backend_port: int, ready_timeout: float) -> None:
    """Wait until the Oxigraph server answers on *backend_port*; one line if it cannot start."""
    try:
        wait_until_ready(f"http://127.0.0.1:{backend_port}/query", process, timeout=ready_timeout)
    except ThbkgError:
        raise ThbkgError("the Oxigraph server could not start; its messages are above") from None


def _start_proxy(host, port, backend_port, query_timeout, max_result_mb, allow_service) -> GuardProxy:
    try:
        proxy = GuardProxy((host, port), backend_port, query_timeout=query_timeout,
                           max_bytes=max_result_mb * 2**20, allow_service=allow_service)
    except OSError as exc:
        raise ThbkgError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another with "
                         "--port or --host)") from None
    threading.Thread(target=proxy.serve_forever, name="thbkg-serve-proxy", daemon=True).start()
    return proxy
