"""The network layer: link records read from a store, filtered, and projected into NetworkX graphs.

Owns: :mod:`~thbkg.graph.network.projections` (``load_network`` and the ``Network`` views: cooperation
graph, multigraph, membership and co-membership graphs, region aggregate), its ``sparql/*.rq`` queries,
and :mod:`~thbkg.graph.network.filters` (the shared analytic filters).

May import: :mod:`thbkg.graph.store`, :mod:`thbkg.graph.rdf` and the base modules.
"""
