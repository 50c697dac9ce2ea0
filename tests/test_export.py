"""kb.export and the CLI commands ingest / sparql / export / stats."""
from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
import rdflib
from typer.testing import CliRunner

import factories as F
from plankb.kb.export import CSV_COLUMNS, FORMATS, export, export_bytes
from plankb.kb.query.graph import networkx_graph

needs_pipeline = pytest.mark.skipif(not F.pipeline_ready(), reason="ingest.extract cannot extract the seeds yet")


def test_trig_and_nquads_round_trip():
    import pyoxigraph as ox

    kb = F.seed_kb()
    for fmt, rdflib_fmt, ox_fmt in (("trig", "trig", ox.RdfFormat.TRIG), ("nquads", "nquads", ox.RdfFormat.N_QUADS)):
        data = export_bytes(kb, fmt)
        ds = rdflib.Dataset()
        ds.parse(data=data.decode("utf-8"), format=rdflib_fmt)
        assert len(list(ds.quads((None, None, None, None)))) == kb.triple_count()
        store = ox.Store()
        store.load(data, format=ox_fmt)
        assert len(store) == kb.triple_count()
        assert set(map(str, store.named_graphs())) == set(map(str, kb.store.named_graphs()))


def test_turtle_and_jsonld_parse():
    kb = F.seed_kb()
    g = rdflib.Graph().parse(data=export_bytes(kb, "turtle").decode("utf-8"), format="turtle")
    assert len(g) == kb.distinct_triple_count()
    ds = rdflib.Dataset()
    ds.parse(data=export_bytes(kb, "jsonld").decode("utf-8"), format="json-ld")
    assert len(list(ds.quads((None, None, None, None)))) == kb.triple_count()


def test_graphml_and_gexf_load_in_networkx(tmp_path):
    kb = F.seed_kb()
    g = networkx_graph(kb)
    export(kb, "graphml", tmp_path / "plankb.kb.graphml")
    back = nx.read_graphml(tmp_path / "plankb.kb.graphml")
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    assert {d["kind"] for _, d in back.nodes(data=True)} == {d["kind"] for _, d in g.nodes(data=True)}
    gexf = nx.read_gexf(io.BytesIO(export_bytes(kb, "gexf")))
    assert gexf.number_of_nodes() == g.number_of_nodes()


def test_csv_has_bom_and_vietnamese():
    kb = F.seed_kb()
    data = export_bytes(kb, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == CSV_COLUMNS
    n_tasks = kb.select("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a pk:Task }")[0]["n"]
    assert len(rows) == n_tasks
    assert "Cải cách thể chế" in text and any(r["lead"] for r in rows)
    assert all(r["plan_id"] and r["area"] for r in rows)


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown export format"):
        export_bytes(F.seed_kb(), "xlsx")
    assert "csv" in FORMATS


# ---------------------------------------------------------------- CLI
@pytest.fixture(scope="module")
def cli_data(tmp_path_factory):
    if not F.pipeline_ready():
        pytest.skip("ingest.extract cannot extract the seeds yet")
    from plankb.api.cli import app

    d = tmp_path_factory.mktemp("kbdata")
    result = CliRunner().invoke(app, ["ingest", str(F.SEEDS), "--data-dir", str(d), "--no-progress"])
    assert result.exit_code == 0, result.output
    return d


def run(*args, env=None):
    from plankb.api.cli import app

    return CliRunner().invoke(app, list(args), env=env)


def test_cli_ingest_summary_and_idempotence(cli_data):
    r = run("ingest", str(F.SEEDS), "--data-dir", str(cli_data), "--no-progress", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["unchanged"] == 5 and out["added"] == 0 and out["failed"] == 0


def test_cli_ingest_exit_2_on_a_bad_file(tmp_path):
    if not F.pipeline_ready():
        pytest.skip("pipeline")
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"\x00not a zip" * 100)
    r = run("ingest", str(F.AI_QUOC_FILE), str(bad), "--no-progress", env={"PLANKB_DATA_DIR": str(tmp_path / "d")})
    assert r.exit_code == 2
    assert "bad.docx" in r.output
    st = run("stats", "--json", env={"PLANKB_DATA_DIR": str(tmp_path / "d")})
    assert json.loads(st.stdout)["counts"]["plans"] == 1


def test_cli_sparql_formats(cli_data):
    q = "SELECT ?id WHERE { ?p a pk:Plan ; dcterms:identifier ?id } ORDER BY ?id"
    r = run("sparql", q, "--format", "json", "--data-dir", str(cli_data))
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["head"]["vars"] == ["id"] and len(res["results"]["bindings"]) == 5
    r = run("sparql", "--file", "ontology/queries/list_plans_citing.rq", "--format", "csv", "--data-dir", str(cli_data))
    assert r.exit_code == 0 and "76/NQ-CP" in r.stdout
    r = run("sparql", "ASK { ?p a pk:Plan }", "--format", "json", "--data-dir", str(cli_data))
    assert json.loads(r.stdout)["boolean"] is True
    r = run("sparql", "SELECT ?x WHERE {", "--data-dir", str(cli_data))
    assert r.exit_code == 1 and "syntax" in r.output.lower()
    r = run("sparql", "SELECT ?label WHERE { ?a a pk:ReformArea ; skos:prefLabel ?label }", "--data-dir", str(cli_data))
    assert r.exit_code == 0 and "Cải cách thể chế" in r.stdout


def test_cli_export_and_stats(cli_data, tmp_path):
    out = tmp_path / "plankb.kb.trig"
    r = run("export", "--format", "trig", "-o", str(out), "--data-dir", str(cli_data))
    assert r.exit_code == 0 and out.stat().st_size > 1000
    r = run("export", "--format", "csv", "--data-dir", str(cli_data))
    assert r.exit_code == 0 and r.stdout_bytes.startswith(b"\xef\xbb\xbf")
    r = run("export", "--format", "pdf", "--data-dir", str(cli_data))
    assert r.exit_code == 1
    r = run("stats", "--json", "--data-dir", str(cli_data))
    stats = json.loads(r.stdout)
    assert stats["counts"]["plans"] == 5 and stats["counts"]["tasks"] > 100
    assert stats["counts"]["missing_sources"] > 0
    r = run("stats", "--data-dir", str(cli_data))
    assert r.exit_code == 0 and "missing sources" in r.stdout
