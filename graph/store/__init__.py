"""The store layer: where the graph lives and how it is queried.

Owns: :mod:`~thbkg.graph.store.source` (``GraphSource``: embedded, memory or persistent Oxigraph, or a
SPARQL endpoint; ``write_store``), :mod:`~thbkg.graph.store.builder` (``thbkg build``),
:mod:`~thbkg.graph.store.binder` (the one SPARQL tokenizer and the one binder: values enter a query
as RDF terms in a ``VALUES`` block), :mod:`~thbkg.graph.store.catalogue` (the named queries in
``queries/*.rq`` and their headers), :mod:`~thbkg.graph.store.query` (read-only checks, typed
parameters, execution with a timeout), :mod:`~thbkg.graph.store.cache` (the content-addressed cache
of built stores, their kept answers and validation reports), :mod:`~thbkg.graph.store.validation`
(``thbkg validate`` through that cache), :mod:`~thbkg.graph.store.server` (``thbkg serve``) and
:mod:`~thbkg.graph.store.push` (``thbkg push``).

May import: :mod:`thbkg.graph.rdf` and the base modules. Results are formatted in
:mod:`thbkg.graph.outputs` (query answers in :mod:`thbkg.graph.outputs.results`), not here.
"""
