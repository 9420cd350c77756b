"""Network analytics on the projections of :mod:`thbkg.graph.network.projections`.

One module per family, like NetworkX:

* :mod:`~thbkg.graph.analytics.centrality` - ``compute_centrality``, ``METRICS``, ``ranked``;
* :mod:`~thbkg.graph.analytics.communities` - Louvain with a seed and its modularity;
* :mod:`~thbkg.graph.analytics.brokers` - articulation points, bridges, Burt, Gould–Fernandez;
* :mod:`~thbkg.graph.analytics.paths` - shortest cooperation paths with their link records;
* :mod:`~thbkg.graph.analytics.whatif` - what changes when actors leave;
* :mod:`~thbkg.graph.progress` - progress indicator on stderr (TTY only);
* ``coverage`` and ``change`` - priority-region coverage and change over time (report).
"""
