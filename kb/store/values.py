"""SPARQL result terms as Python values. Public verb: `to_python(term)`."""
from __future__ import annotations

from datetime import date, datetime

import pyoxigraph as ox

from plankb.kb.ids import PREFIXES

_XSD = PREFIXES["xsd"]


def to_python(term):
    """pyoxigraph term -> Python value (IRI -> str, typed literal -> int/float/bool/date/datetime/str)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype is not None else ""
        v = term.value
        try:
            if dt in (_XSD + "integer", _XSD + "int", _XSD + "long", _XSD + "nonNegativeInteger"):
                return int(v)
            if dt in (_XSD + "decimal", _XSD + "double", _XSD + "float"):
                return float(v)
            if dt == _XSD + "boolean":
                return v in ("true", "1")
            if dt == _XSD + "date":
                return date.fromisoformat(v)
            if dt == _XSD + "dateTime":
                return datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return v
        return v
    return term.value


