"""Unreachable endpoints are reported as the network problem they are, in one line."""

from __future__ import annotations

import socket

import pytest

from thbkg.graph.errors import ThbkgError
from thbkg.graph.store.source import GraphSource


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_connection_says_so():
    source = GraphSource(endpoint=f"http://127.0.0.1:{_closed_port()}/query")
    with pytest.raises(ThbkgError) as info:
        source.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    message = str(info.value)
    assert "Connection refused" in message and "\n" not in message
    assert "formulating" not in message  # SPARQLWrapper's generic text is replaced


def test_cli_reports_refused_connection_without_traceback(runner):
    from thbkg.cli.main import cli

    result = runner.invoke(cli, ["stats", "--endpoint", f"http://127.0.0.1:{_closed_port()}/query"])
    assert result.exit_code == 1
    assert "Connection refused" in result.output and "Traceback" not in result.output
