"""Extraction accuracy at scale: `plankb extract` output against the synthetic corpus' ground truth.

    python -m plankb.bench.run accuracy --corpus DIR [--workers 2] [--limit N]
    plankb bench accuracy --corpus DIR

For every document of a corpus written by `bench.synth` (DIR/manifest.json + DIR/truth/…), extract it
with `ingest.extract.document.extract_document` (in a process pool) and compare with its truth:

* document fields: level, jurisdiction (official code), period, own number, draft flag, date;
* legal bases, parent plans and cited documents: sets of (type, number, year[, province]);
  laws cited by name are compared by name;
* tasks: the truth's tasks are aligned with the extracted ones in document order by text
  similarity (rapidfuzz, folded text); recall/precision of the alignment, then area, lead units,
  supporting units and deadline wording of the aligned pairs;
* indicators: multisets of (value, is-percent);
* units: the functions (standing agency, office, centre …) the plan names, recognised by the
  name variants in kb/synth_data/units.json.

The comparison normalises with its own tables (synth_data) and `kb.text.fold`, never with the
extractor's vocabularies, so a shared bug cannot hide. Nothing here changes or tunes extraction:
failures are reported (by field, with examples) for whoever owns `ingest/`.

With a knowledge base (`kb=`) that holds the corpus, the links are checked too: for every plan whose
truth names a parent document in the corpus, does the KB have `child pk:parentPlan parent`?
"""
from __future__ import annotations

import json
import multiprocessing as mp
import re
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from rapidfuzz import fuzz, process
from rich.console import Console
from rich.table import Table

from plankb.bench.synth import data
from plankb.ingest.extract.document import extract_document
from plankb.kb.text import canonical_tones, fold

SIMILARITY = 80.0  # minimum rapidfuzz ratio for two task texts to be the same task


# ---------------------------------------------------------------------------- normalisation
def norm_text(s: str | None) -> str:
    s = fold(canonical_tones(s or ""))
    s = re.sub(r"[*_#`]|<[^>]+>", " ", s)
    s = re.sub(r"\s*-\s*", " - ", s)
    return re.sub(r"\s+", " ", s).strip(" .;:")


@lru_cache(maxsize=1)
def unit_aliases() -> dict[str, str]:
    """folded unit name -> function, from kb/synth_data/units.json (every level word substituted)."""
    units = data()["units"]
    out: dict[str, str] = {}
    caps = {"national": ("",), "province": ("tỉnh", "thành phố", ""), "commune": ("phường", "xã", "đặc khu", "")}
    for level in ("national", "province", "commune"):
        for fn, spec in units[level].items():
            fn = {"economy_ward": "economy", "economy_commune": "economy"}.get(fn, fn)
            for name in spec["names"]:
                for cap in caps[level]:
                    out.setdefault(norm_text(name.replace("{cap}", cap)), f"{level}:{fn}")
        for name in units["collective"][level]:
            for cap in caps[level]:
                out.setdefault(norm_text(name.replace("{cap}", cap)), f"{level}:collective")
    return out


_PLACE_SUFFIX_RE = re.compile(r"\s+(phuong|xa|dac khu|tinh|thanh pho)(\s+[\w ]+)?$")


def unit_function(name: str | None) -> str | None:
    """The function a printed or extracted unit name stands for ('commune:standing'), or None."""
    if not name:
        return None
    aliases = unit_aliases()
    n = norm_text(name)
    if n in aliases:
        return aliases[n]
    m = _PLACE_SUFFIX_RE.search(n)
    if m and (k := n[: m.start()] + " " + m.group(1)) in aliases:
        return aliases[k]
    if m and n[: m.start()] in aliases:
        return aliases[n[: m.start()]]

    best = process.extractOne(n, list(aliases), scorer=fuzz.ratio)
    if best and best[1] >= 90:
        return aliases[best[0]]
    return None


def _province_place(name: str | None) -> str | None:
    if not name:
        return None
    f = fold(name)
    return re.sub(r"^(thanh pho|tinh|tp\.?)\s+", "", f).strip() or None


def cite_key(doc_type: str | None, number: str | None, year: int | None, jurisdiction: str | None = None,
             level: str | None = None) -> tuple:
    """Identity of a cited document for the comparison: (type, number, year, province or '')."""
    t = fold(doc_type or "").replace("đ", "d")
    local = level in ("province", "commune") or t == "kh" or ("ubnd" in fold(jurisdiction or ""))
    return (t, (number or "").lstrip("0") or "0", year or 0, _province_place(jurisdiction) if local else "")


def truth_cite_key(c: dict) -> tuple:
    return cite_key(c["doc_type"], c["number"], c["year"], c.get("jurisdiction"), c.get("issuer_level"))


def record_cite_key(c: dict) -> tuple:
    level = c.get("issuer_level")
    return cite_key(c.get("doc_type"), c.get("number"), c.get("year"), c.get("jurisdiction"), level)


# ---------------------------------------------------------------------------- counters
class PR:
    """Precision / recall counter over sets or multisets."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, truth: Iterable, found: Iterable) -> tuple[list, list]:
        t, f = Counter(truth), Counter(found)
        # a citation printed without date or year ('Kết luận số 205-KL/TW') cannot carry its year:
        # a found key with year 0 matches a truth key that differs only by the year
        for k in [k for k in f if isinstance(k, tuple) and len(k) == 4 and k[2] == 0]:
            for tk in [x for x in t if isinstance(x, tuple) and len(x) == 4 and x[2] and (x[0], x[1], x[3]) == (k[0], k[1], k[3])]:
                n = min(f[k], t[tk] - f.get(tk, 0))
                if n > 0:
                    f[k] -= n
                    f[tk] += n
        f = +f
        tp = sum((t & f).values())
        self.tp += tp
        self.fp += sum(f.values()) - tp
        self.fn += sum(t.values()) - tp
        return sorted((t - f).elements(), key=str), sorted((f - t).elements(), key=str)

    def as_dict(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


class Acc:
    def __init__(self) -> None:
        self.ok = self.n = 0

    def add(self, good: bool) -> bool:
        self.n += 1
        self.ok += bool(good)
        return good

    def as_dict(self) -> dict:
        return {"accuracy": round(self.ok / self.n, 4) if self.n else None, "n": self.n}


# ---------------------------------------------------------------------------- task alignment
def align_tasks(truth: list[dict], found: list[dict]) -> list[tuple[int, int]]:
    """Pairs (truth index, found index), monotone in document order, by text similarity."""

    tt = [norm_text(t["text"])[:300] for t in truth]
    ff = [norm_text(f["text"])[:300] for f in found]
    pairs: list[tuple[int, int]] = []
    j0 = 0
    for i, a in enumerate(tt):
        best, best_j = 0.0, -1
        for j in range(j0, min(len(ff), j0 + 40)):  # look ahead; extracted order follows the text
            s = fuzz.ratio(a, ff[j]) if abs(len(a) - len(ff[j])) < 0.5 * max(len(a), 1) + 40 else 0.0
            if s < SIMILARITY and ff[j] and (a.startswith(ff[j][:60]) or ff[j].startswith(a[:60])):
                s = max(s, SIMILARITY)
            if s > best:
                best, best_j = s, j
                if s >= 99:
                    break
        if best >= SIMILARITY:
            pairs.append((i, best_j))
            j0 = best_j + 1
    return pairs


# ---------------------------------------------------------------------------- one document
FIELDS = ("level", "jurisdiction", "period", "number", "is_draft", "date")


def compare(truth: dict, rec: dict | None, error: str | None = None) -> dict:
    """Per-document comparison: field verdicts, set differences and task-level details."""
    out: dict[str, Any] = {"id": truth["id"], "file": truth["file"], "style": truth["style"], "format": truth["format"],
                           "level": truth["level"], "error": error}
    if rec is None:
        return out
    j, tj = rec.get("jurisdiction") or {}, truth.get("jurisdiction") or {}
    if not tj and truth["level"] == "national" and str(j.get("code", "")).upper() == "VN":
        j = {}  # the truth has no jurisdiction for the nation; plankb names it Việt Nam (code VN)
    out["fields"] = {
        "level": rec.get("level") == truth["level"],
        "jurisdiction": (not tj and not j) or bool(tj and j and str(j.get("code")) == tj["code"]
                                                   and str(j.get("province_code") or j.get("code")) == tj["province_code"]),
        "period": (rec.get("period") or None) == truth["period"],
        "number": (rec.get("number") or None) == truth["number"],
        "is_draft": bool(rec.get("is_draft")) == truth["is_draft"],
        "date": (rec.get("date") or None)[:10] == truth["date"] if rec.get("date") else truth["date"] is None,
    }
    out["found"] = {"level": rec.get("level"), "jurisdiction": j.get("name"), "code": j.get("code"),
                    "period": rec.get("period"), "number": rec.get("number"), "is_draft": rec.get("is_draft"),
                    "date": rec.get("date")}
    out["bases"] = ([truth_cite_key(c) for c in truth["legal_bases"]], [record_cite_key(c) for c in rec.get("legal_bases", [])])
    out["parents"] = ([truth_cite_key(c) for c in truth["parent_plans"]], [record_cite_key(c) for c in rec.get("parent_plans", [])])
    explicit = {truth_cite_key(c) for c in truth.get("parent_plans_explicit", [])}
    out["parents_explicit"] = (sorted(explicit), [k for k in out["parents"][1] if k in explicit])
    # every cited document but the plan's own adopting decision (compared on its own) and its own
    # number (an appendix 'Kèm theo Kế hoạch số 46/KH-UBND' names the plan itself)
    own = {truth_cite_key(truth["adopted_by"])} if truth.get("adopted_by") else set()
    if truth.get("number"):
        n, _, sym = truth["number"].partition("/")
        own |= {k for k in (record_cite_key(c) for c in rec.get("citations", []))
                if k[0] == fold(sym.split("-")[0]).replace("đ", "d") and k[1] == n.lstrip("0")}
    tn = [k for k in (truth_cite_key(c) for c in truth["citations"] if c["doc_type"] != "LUAT") if k not in own]
    fn = [k for k in (record_cite_key(c) for c in rec.get("citations", []) if c.get("number")) if k not in own]
    out["citations"] = (sorted(set(tn)), sorted(set(fn)))
    laws_t = {norm_text(c["name"]) for c in truth["citations"] if c["doc_type"] == "LUAT"}
    laws_f = " | ".join(norm_text((c.get("name") or "") + " " + c.get("surface", "")) for c in rec.get("citations", [])
                        if not c.get("number"))
    out["laws"] = (len(laws_t), sum(1 for l in laws_t if l in laws_f))
    adopted_t = truth_cite_key(truth["adopted_by"]) if truth.get("adopted_by") else None
    adopted_f = record_cite_key(rec["adopted_by"]) if rec.get("adopted_by") else None
    out["adopted_by"] = adopted_t == adopted_f
    # tasks
    tt, ft = truth["tasks"], rec.get("tasks", [])
    pairs = align_tasks(tt, ft)
    out["task_count"] = (len(tt), len(ft))
    out["task_pairs"] = len(pairs)
    details = []
    for i, k in pairs:
        t, f = tt[i], ft[k]
        lead_t = sorted({unit_function(u) or u for u in t["lead_units"]})
        lead_f = sorted({unit_function(u) or u for u in f.get("lead_units", [])})
        sup_t = sorted({unit_function(u) or u for u in t.get("support_units", [])})
        sup_f = sorted({unit_function(u) or u for u in f.get("support_units", [])})
        dl_t = t.get("deadline")
        dl_f = (f.get("deadline") or {}).get("text")
        details.append({
            "area": (t["area"], f.get("area")),
            "lead": (lead_t, lead_f),
            "support": (sup_t, sup_f) if t["origin"] == "table" or t.get("support_units") else None,
            "deadline": (norm_text(dl_t), norm_text(dl_f)) if dl_t else None,
            "origin": t["origin"], "text": t["text"][:80],
        })
    out["tasks"] = details
    out["missed_tasks"] = [tt[i]["text"][:100] for i in sorted(set(range(len(tt))) - {p[0] for p in pairs})][:5]
    out["extra_tasks"] = [ft[k]["text"][:100] for k in sorted(set(range(len(ft))) - {p[1] for p in pairs})][:5]
    # indicators
    def ind_key(v, unit):
        return (round(float(v), 2), unit == "%")

    out["indicators"] = ([ind_key(i["value"], i["unit"]) for i in truth["indicators"] if i["value"] is not None],
                         [ind_key(i["value"], i.get("unit")) for i in rec.get("indicators", [])])
    # units
    # units the plan gives a role (standing / lead / support); mentions elsewhere are not compared
    out["units"] = (sorted({f"{truth['level']}:{u['function'].replace('economy_ward', 'economy').replace('economy_commune', 'economy')}"
                            for u in truth["units"]}),
                    [])
    named = {unit_function(u["name"]) for u in rec.get("units", [])} - {None}
    with_role = {unit_function(u["name"]) for u in rec.get("units", []) if u.get("roles")} - {None}
    # recall over every unit the extractor names; precision over the units it gives a role
    out["units"] = (out["units"][0], sorted(with_role | (named & set(out["units"][0]))))
    out["adopted_found"] = rec["adopted_by"]["surface"] if rec.get("adopted_by") else None
    return out


# ---------------------------------------------------------------------------- extraction
def _extract(path: str) -> tuple[str, dict | None, str | None, float]:
    t0 = time.perf_counter()
    try:
        rec = extract_document(path)
        return path, rec.model_dump(mode="json", exclude={"sections"}), None, time.perf_counter() - t0
    except Exception as e:  # report, do not stop
        return path, None, f"{type(e).__name__}: {e}", time.perf_counter() - t0


def extract_all(paths: list[str], workers: int = 2, progress: bool = False) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    if workers <= 1:
        for p in paths:
            r = _extract(p)
            out[r[0]] = r[1:]
        return out

    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as ex:
        for r in ex.map(_extract, paths, chunksize=8):
            out[r[0]] = r[1:]
    return out


# ---------------------------------------------------------------------------- the report
def evaluate(corpus: str | Path, workers: int = 2, limit: int | None = None, kb=None,
             records: dict[str, dict] | None = None, examples: int = 8) -> dict:
    """Extract every document of the corpus (or use `records`: file -> record JSON) and score it."""
    corpus = Path(corpus)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    docs = manifest["documents"][:limit] if limit else manifest["documents"]
    truths = {d["file"]: json.loads((corpus / d["truth"]).read_text(encoding="utf-8")) for d in docs}
    t0 = time.perf_counter()
    if records is None:
        got = extract_all([str(corpus / d["file"]) for d in docs], workers)
        found = {str(Path(p).relative_to(corpus)): v for p, v in got.items()}
    else:
        found = {f: (records.get(f), None, 0.0) for f in truths}
    seconds = time.perf_counter() - t0
    per_doc = [compare(truths[f], found.get(f, (None, "not extracted", 0))[0], found.get(f, (None, "not extracted"))[1])
               for f in truths]
    report = summarize(per_doc, examples)
    report["documents"] = len(per_doc)
    report["extract_seconds"] = round(seconds, 2)
    report["extract_seconds_per_doc_cpu"] = round(sum(v[2] for v in found.values()) / max(1, len(found)), 4)
    if kb is not None:
        report["links"] = link_accuracy(kb, corpus, docs, truths, examples)
    return report


def summarize(per_doc: list[dict], examples: int = 8) -> dict:
    fields = {f: Acc() for f in FIELDS}
    field_fail: dict[str, list] = defaultdict(list)
    sets = {k: PR() for k in ("legal_bases", "parent_plans", "parent_plans_explicit", "citations", "indicators", "units",
                              "tasks")}
    set_fail: dict[str, list] = defaultdict(list)
    adopted, laws_n, laws_ok = Acc(), 0, 0
    count_exact, count_err = Acc(), []
    area, lead, support, deadline = Acc(), Acc(), Acc(), Acc()
    lead_fail: list = []
    area_fail: list = []
    by_style: dict[str, dict[str, Any]] = defaultdict(lambda: {"docs": 0, "tasks": PR(), "lead": Acc(), "count": Acc()})
    errors = []
    for d in per_doc:
        if d.get("error") or "fields" not in d:
            errors.append(f"{d['file']}: {d.get('error')}")
            continue
        for f in FIELDS:
            if not fields[f].add(d["fields"][f]) and len(field_fail[f]) < examples:
                field_fail[f].append({"file": d["file"], "found": d["found"].get(f if f != "jurisdiction" else "code")})
        for name, key in (("legal_bases", "bases"), ("parent_plans", "parents"), ("parent_plans_explicit", "parents_explicit"),
                          ("citations", "citations"),
                          ("indicators", "indicators"), ("units", "units")):
            missed, extra = sets[name].add(*d[key])
            if (missed or extra) and len(set_fail[name]) < examples:
                set_fail[name].append({"file": d["file"], "missed": [list(x) if isinstance(x, tuple) else x for x in missed][:4],
                                       "extra": [list(x) if isinstance(x, tuple) else x for x in extra][:4]})
        if not adopted.add(d["adopted_by"]) and len(field_fail["adopted_by"]) < examples:
            field_fail["adopted_by"].append({"file": d["file"], "found": d["adopted_found"]})
        laws_n += d["laws"][0]
        laws_ok += d["laws"][1]
        nt, nf = d["task_count"]
        count_exact.add(nt == nf)
        count_err.append(abs(nt - nf))
        sets["tasks"].tp += d["task_pairs"]
        sets["tasks"].fn += nt - d["task_pairs"]
        sets["tasks"].fp += nf - d["task_pairs"]
        if (nt - d["task_pairs"] or nf - d["task_pairs"]) and len(set_fail["tasks"]) < examples:
            set_fail["tasks"].append({"file": d["file"], "truth": nt, "found": nf, "missed": d["missed_tasks"][:3],
                                      "extra": d["extra_tasks"][:3]})
        st = by_style[f"{d['level']}/{d['style']}/{d['format']}"]
        st["docs"] += 1
        st["tasks"].tp += d["task_pairs"]
        st["tasks"].fn += nt - d["task_pairs"]
        st["tasks"].fp += nf - d["task_pairs"]
        st["count"].add(nt == nf)
        for t in d["tasks"]:
            if not area.add(t["area"][0] == t["area"][1]) and len(area_fail) < examples:
                area_fail.append({"file": d["file"], "text": t["text"], "truth": t["area"][0], "found": t["area"][1]})
            ok = lead.add(t["lead"][0] == t["lead"][1])
            st["lead"].add(ok)
            if not ok and len(lead_fail) < examples:
                lead_fail.append({"file": d["file"], "text": t["text"], "truth": t["lead"][0], "found": t["lead"][1]})
            if t["support"] is not None:
                support.add(t["support"][0] == t["support"][1])
            if t["deadline"] is not None:
                deadline.add(t["deadline"][0] == t["deadline"][1])
    return {
        "fields": {f: a.as_dict() for f, a in fields.items()},
        "adopted_by": adopted.as_dict(),
        "sets": {k: v.as_dict() for k, v in sets.items()},
        "laws_by_name": {"recall": round(laws_ok / laws_n, 4) if laws_n else None, "n": laws_n},
        "task_count_exact": count_exact.as_dict(),
        "task_count_mean_abs_error": round(sum(count_err) / len(count_err), 3) if count_err else None,
        "task_area": area.as_dict(),
        "task_lead_units": lead.as_dict(),
        "task_support_units": support.as_dict(),
        "task_deadline_text": deadline.as_dict(),
        "by_style": {k: {"docs": v["docs"], "tasks": v["tasks"].as_dict(), "lead": v["lead"].as_dict(),
                         "task_count_exact": v["count"].as_dict()} for k, v in sorted(by_style.items())},
        "errors": errors[:50],
        "error_count": len(errors),
        "failures": {"fields": dict(field_fail), "sets": dict(set_fail), "area": area_fail, "lead": lead_fail},
    }


def link_accuracy(kb, corpus: Path, docs: list[dict], truths: dict[str, dict], examples: int = 8) -> dict:
    """Parent-plan edges in the KB (pk:parentPlan, resolved by kb.link) against the truth."""
    rows = kb.select("""SELECT DISTINCT ?cp ?pp WHERE {
        ?c pk:parentPlan ?p . ?c prov:wasDerivedFrom/pk:sourcePath ?cp . ?p prov:wasDerivedFrom/pk:sourcePath ?pp }""")
    by_file = {}
    for d in docs:
        by_file[d["file"]] = d["id"]
    def doc_id(path: str) -> str | None:
        p = path.replace("\\", "/")
        i = p.find("docs/")
        return by_file.get(p[i:]) if i >= 0 else None
    found = {(doc_id(r["cp"]), doc_id(r["pp"])) for r in rows}
    found = {e for e in found if e[0] and e[1]}
    in_corpus = {d["id"] for d in docs}
    truth = {(t["id"], p) for t in truths.values() for p in t["parent_docs"] if p in in_corpus}
    pr = PR()
    missed, extra = pr.add(truth, found)
    return {**pr.as_dict(), "missed": [list(x) for x in missed[:examples]], "extra": [list(x) for x in extra[:examples]]}


def print_report(rep: dict, console=None) -> None:

    console = console or Console()
    t = Table("measure", "value", "n", title=f"extraction accuracy on {rep['documents']} synthetic documents")
    for f, v in rep["fields"].items():
        t.add_row(f, f"{v['accuracy']:.3f}" if v["accuracy"] is not None else "-", str(v["n"]))
    t.add_row("adopted_by", f"{rep['adopted_by']['accuracy']:.3f}", str(rep["adopted_by"]["n"]))
    for k, v in rep["sets"].items():
        t.add_row(f"{k} P/R/F1", f"{v['precision']:.3f} / {v['recall']:.3f} / {v['f1']:.3f}", str(v["tp"] + v["fn"]))
    t.add_row("laws by name recall", str(rep["laws_by_name"]["recall"]), str(rep["laws_by_name"]["n"]))
    t.add_row("task count exact", f"{rep['task_count_exact']['accuracy']:.3f}", str(rep["task_count_exact"]["n"]))
    t.add_row("task count mean abs error", str(rep["task_count_mean_abs_error"]), "")
    for k in ("task_area", "task_lead_units", "task_support_units", "task_deadline_text"):
        v = rep[k]
        t.add_row(k, f"{v['accuracy']:.3f}" if v["accuracy"] is not None else "-", str(v["n"]))
    if "links" in rep:
        v = rep["links"]
        t.add_row("parent-plan links P/R", f"{v['precision']:.3f} / {v['recall']:.3f}", str(v["tp"] + v["fn"]))
    t.add_row("extraction errors", str(rep["error_count"]), "")
    console.print(t)
    s = Table("level/style/format", "docs", "tasks F1", "lead acc", "count exact", title="by layout")
    for k, v in rep["by_style"].items():
        s.add_row(k, str(v["docs"]), f"{v['tasks']['f1']:.3f}",
                  f"{v['lead']['accuracy']:.3f}" if v["lead"]["accuracy"] is not None else "-",
                  f"{v['task_count_exact']['accuracy']:.3f}")
    console.print(s)
