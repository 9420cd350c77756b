"""``thbkg build``: check the tables once, then write RDF to a file and/or a persistent store.

This orchestration sits in the store layer because it writes stores (:func:`~thbkg.graph.store.source.write_store`);
the mapping from tables to RDF is :mod:`thbkg.graph.rdf.build`.
"""

from __future__ import annotations

from thbkg.graph.io import atomic_write, check_output, protect_inputs
from thbkg.graph.progress import progress
from thbkg.graph.rdf.build import build_graph, dataset_lines, ontology_lines, serialize_graph, serialize_lines
from thbkg.graph.rdf.ntriples import unique_sorted
from thbkg.graph.rdf.tables import data_folders, load_dataset
from thbkg.graph.rdf.vocab import ontology_graph
from thbkg.graph.store.source import write_store


def run_build(data_dirs=(), *, include_bundled=None, output=None, fmt="turtle", with_ontology=False,
              store_dir=None) -> dict:
    """Check the tables once, then write RDF to *output* and/or a persistent store to *store_dir*.

    The triples are written as N-Triples text straight from the tables, once
    (:func:`~thbkg.graph.rdf.build.dataset_lines`): the store is loaded from them, and Turtle, TriG
    and N-Triples output is written from them (:func:`~thbkg.graph.rdf.build.serialize_lines`).
    Only JSON-LD builds an rdflib Graph, since its writer is rdflib's.

    Returns
    -------
    dict
        ``{"actors", "links", "triples", "output", "store"}``; ``store`` is ``{"triples", "path"}`` or None.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = pathlib.Path(folder) / "graph.nt"
    ...     summary = run_build(output=out, fmt="nt")
    ...     summary["triples"] == len(out.read_bytes().splitlines()) > 10_000
    True
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
        lines = None
        if store_dir is not None:
            bar.update(1, "loading the store")
            lines = dataset_lines(dataset)
            summary["triples"] = len(lines)
            # the data's lines, then the ontology's (as the store cache loads them)
            data = b"".join([*lines, serialize_graph(ontology_graph(), "nt")])
            if output is None or fmt == "jsonld":
                lines = None  # not needed again: freed before the store loads
            summary["store"] = write_store(store_dir, ntriples=data)
            del data
        if output is not None:
            data, summary["triples"] = _output_bytes(bar, dataset, lines, fmt, with_ontology)
            atomic_write(output, data)
        bar.update(1)
    return summary


def _output_bytes(bar, dataset, lines, fmt: str, with_ontology: bool) -> tuple[bytes, int]:
    """(the RDF of *dataset* as *fmt*, its number of triples); *lines* are its :func:`dataset_lines` or None.

    JSON-LD is written by rdflib from a Graph; the other formats from the N-Triples lines, which
    give the same bytes as the Graph would (tests/graph/rdf/test_ntriples_writer.py).
    """
    if fmt == "jsonld":
        bar.update(1, "building the graph")
        graph = build_graph(dataset=dataset, with_ontology=with_ontology)
        bar.update(1, f"writing {fmt}")
        return serialize_graph(graph, fmt), len(graph)
    bar.update(1, "writing the triples")
    if lines is None:
        lines = dataset_lines(dataset)
    if with_ontology:
        lines = unique_sorted(lines + ontology_lines())
    bar.update(1, f"writing {fmt}")
    return serialize_lines(lines, fmt), len(lines)
