"""Run the docstring examples of every thbkg.graph module, NetworkX-style."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import thbkg.graph


def _modules():
    names = []
    for info in pkgutil.walk_packages(thbkg.graph.__path__, "thbkg.graph."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
