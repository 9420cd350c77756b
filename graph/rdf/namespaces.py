"""RDF namespaces used by thbkg (see docs/design.md)."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

THB = Namespace("https://w3id.org/thbkg/ontology#")
THBID = Namespace("https://w3id.org/thbkg/id/")
CV = Namespace("http://data.europa.eu/m8g/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")

PREFIXES = {
    "thb": THB,
    "thbid": THBID,
    "org": ORG,
    "cv": CV,
    "prov": PROV,
    "skos": SKOS,
    "dct": DCT,
    "time": TIME,
    "geo": GEO,
    "schema": SCHEMA,
    "foaf": FOAF,
    "wd": WD,
    "eucountry": EU_COUNTRY,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
}


def bind_prefixes(graph):
    """Bind thbkg's prefixes on *graph* (replacing rdflib's defaults) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph
