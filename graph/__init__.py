"""thbkg's library: tables → RDF → store → networks → analytics → outputs.

The version below is the only place it is written; setup.cfg and ``thbkg --version`` read it.
"""

__version__ = "0.2.0"
