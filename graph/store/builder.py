"""``thbkg build``: check the tables once, then write RDF to a file and/or a persistent store.

This orchestration sits in the store layer because it writes stores (:func:`~thbkg.graph.store.source.write_store`);
the mapping from tables to RDF is :mod:`thbkg.graph.rdf.build`.
"""

from __future__ import annotations

from thbkg.graph.io import atomic_write, check_output, protect_inputs
from thbkg.graph.progress import progress
from thbkg.graph.rdf.build import build_graph, dataset_ntriples_bytes, serialize_graph
from thbkg.graph.rdf.tables import data_folders, load_dataset
from thbkg.graph.rdf.vocab import ontology_graph
from thbkg.graph.store.source import write_store


def run_build(data_dirs=(), *, include_bundled=None, output=None, fmt="turtle", with_ontology=False,
              store_dir=None) -> dict:
    """Check the tables once, then write RDF to *output* and/or a persistent store to *store_dir*.

    The store is loaded from N-Triples written straight from the tables, and an rdflib Graph is
    built only when RDF is written to *output*, so ``thbkg build --store DIR`` stays lean at scale.

    Returns
    -------
    dict
        ``{"actors", "links", "triples", "output", "store"}``; ``store`` is ``{"triples", "path"}`` or None.
    """
    # refuse a bad output before the (possibly long) build, not after it
    protect_inputs(*data_folders(data_dirs, include_bundled))
    if output is not None:
        check_output(output)
    if store_dir is not None:
        check_output(store_dir, folder=True)
    steps = 1 + (store_dir is not None) + 2 * (output is not None)
    with progress(steps, "build") as bar:
        bar.set_item("reading the tables")
        dataset = load_dataset(data_dirs, include_bundled=include_bundled)
        summary = {"actors": len(dataset.actors), "links": len(dataset.links), "triples": None,
                   "output": output, "store": None}
        if store_dir is not None:
            bar.update(1, "loading the store")
            data = dataset_ntriples_bytes(dataset)
            summary["triples"] = data.count(b"\n")
            summary["store"] = write_store(store_dir, ntriples=data + serialize_graph(ontology_graph(), "nt"))
            del data
        if output is not None:
            bar.update(1, "building the graph")
            graph = build_graph(dataset=dataset, with_ontology=with_ontology)
            summary["triples"] = len(graph)
            bar.update(1, f"writing {fmt}")
            atomic_write(output, serialize_graph(graph, fmt))
        bar.update(1)
    return summary
