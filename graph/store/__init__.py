"""The store layer: where the graph lives and how it is queried.

Owns: :mod:`~thbkg.graph.store.source` (``GraphSource``: embedded, memory or persistent Oxigraph, or a
SPARQL endpoint; ``write_store``), :mod:`~thbkg.graph.store.builder` (``thbkg build``), the SPARQL
binder, the named-query catalogue with its ``queries/*.rq``, query execution, and
:mod:`~thbkg.graph.store.server` (``thbkg serve``) and :mod:`~thbkg.graph.store.push` (``thbkg push``).

May import: :mod:`thbkg.graph.rdf` and the base modules. Results are formatted in
:mod:`thbkg.graph.outputs`, not here.
"""
