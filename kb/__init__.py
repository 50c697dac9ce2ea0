"""plankb: knowledge base of Vietnamese administrative-reform (CCHC) plans."""
__version__ = "0.1.0"
EXTRACTOR_VERSION = "0.1.0"
