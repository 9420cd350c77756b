"""Interactive HTML network maps (pyvis + vis-network, offline and injection-safe).

>>> from thbkg.graph.outputs.maps import LAYOUTS, SIZE_BY
>>> LAYOUTS, SIZE_BY
(('force', 'geo', 'circular'), ('pagerank', 'betweenness', 'degree'))
"""

from thbkg.graph.outputs.maps.render import LAYOUTS, SIZE_BY, MapInfo, build_map, render_map, write_map

__all__ = ["LAYOUTS", "SIZE_BY", "MapInfo", "build_map", "render_map", "write_map"]
