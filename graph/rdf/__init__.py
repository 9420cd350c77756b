"""The RDF layer: the ontology's vocabularies, the CSV tables, and the mapping from tables to RDF.

Owns: :mod:`~thbkg.graph.rdf.namespaces`, :mod:`~thbkg.graph.rdf.vocab` (the controlled vocabularies,
read from ``ontology/thbkg.ttl``), :mod:`~thbkg.graph.rdf.dates` (the one date parser),
:mod:`~thbkg.graph.rdf.tables` (reading and checking the tables), :mod:`~thbkg.graph.rdf.build`
(tables → RDF), :mod:`~thbkg.graph.rdf.validate` (tables, then SHACL),
:mod:`~thbkg.graph.rdf.shacl_sparql` (the SHACL shapes as SPARQL queries on an Oxigraph store) and
:mod:`~thbkg.graph.rdf.synth` (synthetic tables) and :mod:`~thbkg.graph.rdf.init` (the empty tables of
``thbkg init``).

May import: the base modules (:mod:`thbkg.graph.errors`, :mod:`thbkg.graph.io`,
:mod:`thbkg.graph.progress`) only. Nothing here knows about stores, networks or outputs.
"""
