"""The questions analysts ask of the KB: trace, gaps, the networkx graph."""
