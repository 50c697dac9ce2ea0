"""Extraction: from a document's text to a PlanRecord, one module per stage
(clean → segment → header → citations → tasks/units/deadlines → indicators → areas).
The conductor is `document.extract_document` (re-exported here)."""
