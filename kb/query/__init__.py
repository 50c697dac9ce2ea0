"""The questions analysts ask of the KB: where a task comes from (trace.py, which re-exports the
rest), the tasks of a plan or unit (tasks.py), unit counterparts (units.py), what rests on a legal
document (legal.py), plan-level facts (plans.py), gaps (gaps.py), the networkx graph (graph.py)."""
