"""The HTML pages, in Vietnamese: what an analyst opens in a browser.

    /                   Trang chủ: plans by level and province, search box, recent documents
    /search?q=          Kết quả tìm kiếm (diacritics optional)
    /overview           Tổng quan: the whole KB as a clustered graph
    /plans/{id}         Kế hoạch: facts, legal bases, parent/child plans, sections and tasks,
                        indicators with the parent-plan verdict, gaps, graph
    /tasks/{id}         Nhiệm vụ: text in its source context, units, deadline, trace graph
    /units, /units/{id} Đơn vị: tasks across plans and levels, counterparts, graph
    /legal, /legal/{key} Văn bản pháp lý: what cites it, relation diagram (lược đồ), graph

Every page names its JSON twin (the matching /api/... route) twice: a `Link: <…>; rel="alternate";
type="application/json"` header and a `<link rel="alternate">` element. `/api/graph` (node-link
JSON of the KB graph) is the twin of /overview and is served here.

Templates live in api/templates (Jinja2, autoescape on, StrictUndefined); document text is always
escaped. Graphs come from viz.network.render_fragment (data in a non-executed JSON block). Every
page carries a strict Content-Security-Policy (scripts from 'self' only, no inline script).
`install_html_errors(app)` makes 404/405 answers HTML pages for browsers (Accept: text/html) on
non-API paths; API clients keep problem+json.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from plankb.api import pages_data as pd
from plankb.api.routers.deps import KB
from plankb.kb import catalog
from plankb.kb.query.gaps import plan_gaps
from plankb.kb.query.trace import find_tasks
from plankb.kb.text import clip
from plankb.viz.network import render_fragment

router = APIRouter(tags=["pages"])

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
API_PREFIXES = ("/api", "/sparql", "/static", "/docs", "/openapi.json")
GRAPH_KINDS = ("legal_document", "plan", "task", "unit", "indicator", "jurisdiction", "area")


# ---------------------------------------------------------------- template environment
def _date(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else ""


def _period(start: int | None, end: int | None) -> str:
    if start is None:
        return ""
    return str(start) if end in (None, start) else f"{start}–{end}"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if value is not None else ""


def _shorten(text: str | None, n: int = 160) -> str:
    return clip(text or "", n)


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, trim_blocks=True,
                    lstrip_blocks=True, undefined=StrictUndefined)
    e.filters.update(date_vi=_date, num=_number, short=_shorten, pathq=lambda s: quote(str(s), safe=""))
    e.globals.update(
        LEVELS=pd.LEVEL_LABELS, ROLES=pd.ROLE_LABELS, KINDS=pd.KIND_LABELS, VERDICTS=pd.VERDICT_LABELS,
        RELATIONS=pd.RELATION_LABELS, LINK_METHODS=pd.LINK_METHOD_LABELS, ORIGINS=pd.ORIGIN_LABELS,
        RECURRENCES=pd.RECURRENCE_LABELS, COMPARATORS=pd.COMPARATOR_LABELS, AREAS=pd.area_labels(),
        period=_period, ui_url=catalog.ui_url,
    )
    return e


def render(request: Request, template: str, *, twin: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """A page with its JSON twin (header and <link>) and the security headers."""
    html = env().get_template(template).render(request=request, twin=twin, path=request.url.path, **ctx)
    headers = {**SECURITY_HEADERS, "Link": f'<{twin}>; rel="alternate"; type="application/json"'}
    return HTMLResponse(html, status_code=status, headers=headers)


def not_found(what: str, ident: str) -> StarletteHTTPException:
    return StarletteHTTPException(404, detail=f"Không tìm thấy {what} có mã «{ident}».")


def graph_block(graph: Any, *, focus: str | None = None, layout: str = "auto", plan_beside_task: bool = False) -> Markup:
    """plankb.viz.network's graph fragment (already escaped; document text is inside a JSON data block).
    `plan_beside_task`: in a hierarchical trace, draw each plan on its task's row."""
    html = render_fragment(graph, layout=layout, focus=focus)
    return Markup(pd.plans_beside_tasks(html) if plan_beside_task else html)


# ---------------------------------------------------------------- home, search, overview
@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, kb: KB):
    return render(request, "home.html", twin="/api/plans", groups=pd.plans_by_level(kb), counts=pd.counts(kb),
                  recent=pd.recent_documents(kb), crumbs=[])


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request, kb: KB,
    q: Annotated[str, Query(max_length=500)] = "",
    kind: Annotated[list[str] | None, Query()] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    limit = 20
    kinds = [k for k in (kind or []) if k in catalog.KINDS] or None
    hits = catalog.search(kb, q, kinds=kinds, limit=limit, offset=offset) if q.strip() else None
    params = [("q", q)] + [("kind", k) for k in kinds or []]
    twin = "/api/search?" + urlencode(params) if q.strip() else "/api/plans"
    items = [{"hit": h, "label": pd.highlight(_shorten(h.label, 180), q), "snippet": pd.highlight(h.snippet, q)}
             for h in (hits.items if hits else [])]
    nav = {}
    if hits is not None:
        if offset > 0:
            nav["prev"] = "/search?" + urlencode(params + [("offset", max(0, offset - limit))])
        if offset + limit < hits.total:
            nav["next"] = "/search?" + urlencode(params + [("offset", offset + limit)])
    return render(request, "search.html", twin=twin, q=q, kinds=kinds or [], hits=hits, items=items, nav=nav,
                  all_kinds=catalog.KINDS, crumbs=[("Tìm kiếm", None)])


@router.get("/overview", response_class=HTMLResponse, include_in_schema=False)
def overview(request: Request, kb: KB, kind: Annotated[list[str] | None, Query()] = None,
             cluster: Annotated[str, Query(pattern="^(none|province|jurisdiction|kind)$")] = "province"):
    # reform areas link to every task: left out unless asked for, they would hide everything else
    kinds = [k for k in (kind or []) if k in GRAPH_KINDS] or [k for k in GRAPH_KINDS if k != "area"]
    g = pd.overview_graph(kb, kinds)
    twin = "/api/graph?" + urlencode([("kind", k) for k in kinds])
    return render(request, "overview.html", twin=twin, graph=graph_block(g), kinds=kinds,
                  graph_kinds=GRAPH_KINDS, cluster=cluster, counts=pd.counts(kb), crumbs=[("Tổng quan", None)], has_graph=True,
                  n_nodes=g.number_of_nodes())


@router.get("/api/graph", tags=["graph"], summary="The knowledge base as a graph",
            description="Nodes (id, kind, label, level, url) and edges (source, target, relation) of the KB "
                        "graph (kb.query.graph), the data of the /overview page. `kind` keeps only those node kinds.")
def api_graph(kb: KB, kind: Annotated[list[str] | None, Query(description="Node kinds to keep (repeatable)")] = None):
    kinds = [k for k in (kind or []) if k in GRAPH_KINDS]
    return JSONResponse(pd.node_link(pd.overview_graph(kb, kinds or None)))


# ---------------------------------------------------------------- plans
@router.get("/plans/{plan_id}", response_class=HTMLResponse, include_in_schema=False)
def plan_page(request: Request, plan_id: str, kb: KB):
    try:
        plan = catalog.get_plan(kb, plan_id)
    except KeyError:
        raise not_found("kế hoạch", plan_id) from None
    try:
        gaps = plan_gaps(kb, plan_id)
    except KeyError:
        gaps = None
    verdicts: dict[str, dict] = {}
    for v in (gaps.indicator_verdicts if gaps else []):
        if v.get("child_id") and v["child_id"] not in verdicts:
            verdicts[v["child_id"]] = v
    has_parent_plan = any(p.plan for p in plan.parents)
    g, focus = pd.plan_graph(kb, plan_id)
    return render(request, "plan.html", twin=plan.api_url, plan=plan, gaps=gaps, verdicts=verdicts,
                  has_parent_plan=has_parent_plan, graph=graph_block(g, focus=focus, layout="physics"), has_graph=True,
                  crumbs=_plan_crumbs(plan))


def _plan_crumbs(plan: Any) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [(pd.LEVEL_LABELS.get(plan.level, plan.level), "/#" + plan.level)]
    if plan.jurisdiction:
        label = plan.jurisdiction + (f" {_period(plan.period_start, plan.period_end)}" if plan.period_start else "")
    else:
        label = _shorten(plan.title or plan.id, 60)
    return crumbs + [(label, plan.url)]


# ---------------------------------------------------------------- tasks
@router.get("/tasks/{task_id}", response_class=HTMLResponse, include_in_schema=False)
def task_page(request: Request, task_id: str, kb: KB,
              layout: Annotated[str, Query(pattern="^(hierarchical|layered|physics)$")] = "hierarchical"):
    try:
        task = catalog.get_task(kb, task_id)
        g, focus, trace = pd.trace_graph(kb, task_id)
    except KeyError:
        raise not_found("nhiệm vụ", task_id) from None
    plan = catalog.get_plan(kb, task.plan.id)
    excerpt = pd.source_excerpt(task)
    crumbs = _plan_crumbs(plan) + [(f"Nhiệm vụ {task.path or ''}".strip(), None)]
    return render(request, "task.html", twin=task.api_url, task=task, plan=plan, excerpt=excerpt, trace=trace,
                  graph=graph_block(g, focus=focus, layout=layout, plan_beside_task=True), has_graph=True, crumbs=crumbs,
                  source_name=Path(task.source.path).name if task.source.path else None)


# ---------------------------------------------------------------- units
@router.get("/units", response_class=HTMLResponse, include_in_schema=False)
def units_page(request: Request, kb: KB, q: Annotated[str, Query(max_length=200)] = "",
               jurisdiction: Annotated[str, Query(max_length=200)] = ""):
    units = catalog.list_units(kb, q=q or None, jurisdiction=jurisdiction or None, limit=100_000).items
    groups: dict[tuple, list] = {}
    for u in units:
        groups.setdefault((u.level or "", u.jurisdiction or "Chưa xác định"), []).append(u)
    rank = {lv: i for i, lv in enumerate(pd.LEVEL_ORDER)}
    ordered = sorted(groups.items(), key=lambda kv: (rank.get(kv[0][0], 9), catalog.fold(kv[0][1])))
    params = {k: v for k, v in (("q", q), ("jurisdiction", jurisdiction)) if v}
    twin = "/api/units" + ("?" + urlencode(params) if params else "")
    return render(request, "units.html", twin=twin, groups=ordered, q=q, jurisdiction=jurisdiction, total=len(units),
                  crumbs=[("Đơn vị", None)])


@router.get("/units/{unit_id}", response_class=HTMLResponse, include_in_schema=False)
def unit_page(request: Request, unit_id: str, kb: KB):
    try:
        unit = catalog.get_unit(kb, unit_id, counterparts=True)
    except KeyError:
        raise not_found("đơn vị", unit_id) from None
    try:
        rows = find_tasks(kb, unit=unit_id, counterparts=True)
    except KeyError:
        rows = []
    own = [r for r in rows if not r.via_counterpart]
    via = [r for r in rows if r.via_counterpart]
    by_plan: dict[str, list] = {}
    for r in own:
        by_plan.setdefault(r.plan_id, []).append(r)
    cp_groups: dict[str, dict] = {}
    for c in unit.counterparts or []:
        grp = cp_groups.setdefault(c.unit_id, {"c": c, "areas": [], "roles": []})
        if c.area and c.area not in grp["areas"]:
            grp["areas"].append(c.area)
        if c.role and c.role not in grp["roles"]:
            grp["roles"].append(c.role)
    g, focus = pd.unit_graph(kb, unit_id)
    crumbs = [("Đơn vị", "/units")]
    if unit.jurisdiction:
        crumbs.append((unit.jurisdiction, "/units?" + urlencode({"jurisdiction": unit.jurisdiction_code
                                                                 or unit.jurisdiction})))
    crumbs.append((unit.label, None))
    return render(request, "unit.html", twin=unit.api_url, unit=unit, by_plan=by_plan, own=own, via=via,
                  counterparts=list(cp_groups.values()), graph=graph_block(g, focus=focus, layout="physics"),
                  has_graph=True,
                  crumbs=crumbs)


# ---------------------------------------------------------------- legal documents
@router.get("/legal", response_class=HTMLResponse, include_in_schema=False)
def legal_list_page(request: Request, kb: KB, q: Annotated[str, Query(max_length=200)] = "",
                    ingested: Annotated[bool | None, Query()] = None):
    docs = catalog.list_legal(kb, q=q or None, ingested=ingested, limit=100_000)
    params = {k: v for k, v in (("q", q), ("ingested", None if ingested is None else str(ingested).lower())) if v}
    twin = "/api/legal" + ("?" + urlencode(params) if params else "")
    return render(request, "legal_list.html", twin=twin, docs=docs.items, q=q, ingested=ingested,
                  crumbs=[("Văn bản pháp lý", None)])


@router.get("/legal/{key:path}", response_class=HTMLResponse, include_in_schema=False)
def legal_page(request: Request, key: str, kb: KB):
    try:
        doc = catalog.get_legal(kb, key)
        g, focus, deps = pd.legal_graph(kb, doc.key)
    except KeyError:
        raise not_found("văn bản", key) from None
    bases = []
    if doc.resolves_to:
        try:
            bases = catalog.get_plan(kb, doc.resolves_to.id).legal_bases
        except KeyError:
            bases = []
    groups: dict[str, list] = {}
    for p in deps["plans"]:
        groups.setdefault(p["relation"], []).append(p)
    order = ["adopted_by", "parent_plan", "based_on", "cites", "via_parent_plan"]
    dependents = [(rel, groups[rel]) for rel in order if rel in groups]
    tasks = {t.id: t for t in deps["tasks"]}
    citing = [tasks[t] for t in deps["citing_tasks"] if t in tasks]
    return render(request, "legal.html", twin=doc.api_url, doc=doc, deps=deps, dependents=dependents, bases=bases,
                  citing=citing, graph=graph_block(g, focus=focus, layout="hierarchical"), has_graph=True,
                  crumbs=[("Văn bản pháp lý", "/legal"), (doc.label, None)])


# ---------------------------------------------------------------- errors
def wants_html(request: Request) -> bool:
    """A browser asking for a page (not an API, SPARQL or static path)."""
    if request.url.path.startswith(API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_html_errors(app: FastAPI) -> None:
    """Serve 404/405 as Vietnamese HTML pages to browsers on page paths; everything else goes to
    the app's problem+json handler."""
    api_handler = app.exception_handlers.get(StarletteHTTPException)

    async def handler(request: Request, exc: StarletteHTTPException):
        if exc.status_code in (404, 405) and wants_html(request):
            detail = exc.detail if isinstance(exc.detail, str) and exc.detail.startswith("Không") else None
            title = "Không tìm thấy" if exc.status_code == 404 else "Phương thức không được hỗ trợ"
            return render(request, "error.html", twin="/api/plans", status=exc.status_code, title=title,
                          detail=detail or ("Không có trang nào ở địa chỉ này." if exc.status_code == 404
                                            else "Trang này chỉ hỗ trợ phương thức GET."),
                          crumbs=[(title, None)])
        return await api_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, handler)
