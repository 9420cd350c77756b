"""``most_connected_actors`` against a count made from links.csv by hand (each link ties its subject and object)."""

from __future__ import annotations

import csv
from collections import defaultdict

from thbkg.graph.rdf.tables import bundled_data_dir
from thbkg.graph.store.catalogue import named_query
from thbkg.graph.store.query import run_query


def counted_from_links_csv():
    partners, links = defaultdict(set), defaultdict(set)
    with open(bundled_data_dir() / "links.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["id"].startswith("#"):
                continue
            a, b = row["subject"].strip(), row["object"].strip()
            if a != b:
                partners[a].add(b), partners[b].add(a)
                links[a].add(row["id"]), links[b].add(row["id"])
    order = sorted(partners, key=lambda actor: (-len(partners[actor]), -len(links[actor]), actor))
    return [(actor, len(partners[actor]), len(links[actor])) for actor in order[:25]]


def test_the_hubs_are_those_of_the_links_table(bundled_source):
    rows = run_query(bundled_source, named_query("most_connected_actors").text).rows
    got = [(str(actor).rsplit("/", 1)[1], int(p), int(n)) for actor, _label, _type, p, n in rows]
    assert got == counted_from_links_csv()
    assert all(label is not None for _a, label, *_ in rows)
