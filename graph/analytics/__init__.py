"""Network analytics on the projections of :mod:`thbkg.graph.network.projections`.

One module per family, like NetworkX:

* :mod:`~thbkg.graph.analytics.centrality` - ``compute_centrality``, ``METRICS``, ``ranked``;
* :mod:`~thbkg.graph.analytics.communities` - Louvain with a seed and its modularity;
* :mod:`~thbkg.graph.analytics.brokers` - articulation points, bridges, Burt, Gould–Fernandez, and
  ``group_brokers`` between two groups (:mod:`~thbkg.graph.analytics.groups` reads the groups);
* :mod:`~thbkg.graph.analytics.paths` - shortest cooperation paths with their link records;
* :mod:`~thbkg.graph.analytics.whatif` - what changes when actors leave;
* :mod:`~thbkg.graph.analytics.graphs` - NetworkX backends and the simple-graph view, shared by the others;
* :mod:`~thbkg.graph.analytics.engines` - python-igraph for the heavy metrics and Louvain, with NetworkX's
  values (``engine="auto"|"networkx"|"igraph"``);
* :mod:`~thbkg.graph.analytics.coverage` and :mod:`~thbkg.graph.analytics.change` - priority-region
  coverage and change over time;
* :mod:`~thbkg.graph.analytics.frameworks` - each framework's members, growth, chairs and secretariats;
* :mod:`~thbkg.graph.analytics.evidence` - evidence grades: what each link rests on;
* :mod:`~thbkg.graph.analytics.cooperation` - funding by region, funder and implementer, liaison coverage,
  national mechanisms by network and evaluation rounds;
* :mod:`~thbkg.graph.analytics.focus` - focus views: an actor's ego network, a region with its agencies.

May import: :mod:`thbkg.graph.network`, :mod:`thbkg.graph.store`, :mod:`thbkg.graph.rdf` and the base
modules. Results are plain Python values; they are rendered in :mod:`thbkg.graph.outputs`.
"""
