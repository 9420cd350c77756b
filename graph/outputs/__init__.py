"""The outputs layer: everything a person reads, and the one place where data text is escaped.

Owns: :mod:`~thbkg.graph.outputs.text` (CSV, terminal and Markdown escaping and the table, number and
label formatters), the rendering of query results, analytic tables, validation results and stats, the
report (jinja2 templates), the exports (GraphML, GEXF, Kumu, Cytoscape, CSV), the SVG charts and the
interactive maps (:mod:`~thbkg.graph.outputs.maps`).

May import: every lower layer (:mod:`thbkg.graph.analytics`, :mod:`thbkg.graph.network`,
:mod:`thbkg.graph.store`, :mod:`thbkg.graph.rdf`) and the base modules. Only the CLI imports outputs.
"""
