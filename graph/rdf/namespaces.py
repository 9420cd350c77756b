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

#: One short prefix per kind of data IRI (docs/design.md): ``thba:rs`` is ``thbid:actor/rs``. An id is a
#: valid local name of a prefixed name (``[a-z0-9][a-z0-9_-]*``), while ``thbid:actor/rs`` is not (a ``/``
#: must be escaped there), so ids printed with these prefixes paste back into a SPARQL query as they are.
#: ``thbkg query`` declares them (and every prefix of :data:`PREFIXES`) before the user's text.
ID_PREFIXES = {
    "thba": Namespace(THBID + "actor/"),
    "thbl": Namespace(THBID + "link/"),
    "thbs": Namespace(THBID + "source/"),
    "thbi": Namespace(THBID + "instrument/"),
    "thbr": Namespace(THBID + "region/"),
    "thbp": Namespace(THBID + "publisher/"),
    "thbat": Namespace(THBID + "actor-type/"),
    "thblt": Namespace(THBID + "link-type/"),
    "thbit": Namespace(THBID + "instrument-type/"),
    "thbst": Namespace(THBID + "status/"),
    "thbcf": Namespace(THBID + "confidence/"),
    "thbsk": Namespace(THBID + "source-kind/"),
}

PREFIXES = {
    "thb": THB,
    "thbid": THBID,
    **ID_PREFIXES,
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
