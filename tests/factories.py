"""Hand-made PlanRecords copied from the seed plans, eyecite-style factories.

`ai_quoc()` is seed 000 (phường Ái Quốc 2026-2030, draft, citing NQ 76/NQ-CP and QĐ 1478/QĐ-UBND
of Hải Phòng), `hai_phong()` is seed 001 (Hải Phòng 2026-2030, draft, its own number blank,
citing NQ 76 and QĐ 282/QĐ-TTg). `bac_ninh()` and `vo_cuong()` are a numbered province plan
(KH 69/KH-UBND) and a commune plan citing it by number (seed 004 cites KH 69 this way).
Spans point into the NFC text of the seed file, so `text[span.start:span.end]` is the task text.
"""
from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache
from pathlib import Path

from plankb.ingest.load import ingest_paths, ingest_record
from plankb.kb.link import link_plans
from plankb.kb.models import (
    Citation,
    Deadline,
    Indicator,
    Jurisdiction,
    Period,
    PlanRecord,
    Span,
    Task,
    Unit,
    UnitMention,
)

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
AI_QUOC_FILE = SEEDS / "000_cca369d9760260ba.txt"
HAI_PHONG_FILE = SEEDS / "001_b96a8801ad4bfc64.txt"
VO_CUONG_FILE = SEEDS / "004_ba843e97ec345580.txt"


@lru_cache(maxsize=None)
def seed_text(path: Path) -> str:
    return unicodedata.normalize("NFC", path.read_bytes().decode("utf-8"))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def span_of(path: Path, needle: str, start: int = 0) -> Span:
    """Span of the first occurrence of `needle` (NFC) in the seed's NFC text."""
    text = seed_text(path)
    needle = unicodedata.normalize("NFC", needle)
    i = text.find(needle, start)
    if i < 0:
        raise ValueError(f"{needle[:40]!r} not in {path.name}")
    return Span(start=i, end=i + len(needle))


# ---------------------------------------------------------------- citations
def citation(
    surface: str,
    *,
    doc_type: str | None = None,
    number: str | None = None,
    symbol: str | None = None,
    year: int | None = None,
    date: str | None = None,
    issuer: str | None = None,
    issuer_level: str | None = None,
    jurisdiction: str | None = None,
    name: str | None = None,
    key: str | None = None,
    path: Path | None = None,
) -> Citation:
    span = span_of(path, surface) if path else Span(start=0, end=len(surface))
    names = {"NQ": "Nghị quyết", "QĐ": "Quyết định", "KH": "Kế hoạch", "CT": "Chỉ thị", "KL": "Kết luận"}
    return Citation(
        surface=surface,
        doc_type=doc_type,
        doc_type_name=names.get(doc_type or ""),
        number=number,
        symbol=symbol,
        year=year,
        date=date,
        issuer=issuer,
        issuer_level=issuer_level,  # type: ignore[arg-type]
        jurisdiction=jurisdiction,
        name=name,
        key=key,
        span=span,
    )


def nq76(path: Path | None = None, surface: str = "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ") -> Citation:
    return citation(
        surface,
        doc_type="NQ", number="76", symbol="NQ-CP", year=2021, date="2021-07-15",
        issuer="Chính phủ", issuer_level="national",
        name="Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030",
        key="nq-76-2021-nq-cp", path=path,
    )


def qd1478(path: Path | None = AI_QUOC_FILE) -> Citation:
    return citation(
        "Quyết định số 1478/QĐ-UBND ngày 14/4/2026 của Chủ tịch Ủy ban nhân dân thành phố",
        doc_type="QĐ", number="1478", symbol="QĐ-UBND", year=2026, date="2026-04-14",
        issuer="Chủ tịch Ủy ban nhân dân thành phố", issuer_level="province", jurisdiction="Hải Phòng",
        name="Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026-2030 của thành phố Hải Phòng",
        key="qd-1478-2026-qd-ubnd-hai-phong", path=path,
    )


def qd282(path: Path | None = HAI_PHONG_FILE) -> Citation:
    return citation(
        "Quyết định số 282/QĐ-TTg ngày 12 tháng 02 năm 2026 của Thủ tướng Chính phủ",
        doc_type="QĐ", number="282", symbol="QĐ-TTg", year=2026, date="2026-02-12",
        issuer="Thủ tướng Chính phủ", issuer_level="national",
        name="Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026 – 2030",
        key="qd-282-2026-qd-ttg", path=path,
    )


def kh69(path: Path | None = VO_CUONG_FILE) -> Citation:
    return citation(
        "Kế hoạch số 69/KH-UBND ngày 19/9/2025 của UBND tỉnh Bắc Ninh",
        doc_type="KH", number="69", symbol="KH-UBND", year=2025, date="2025-09-19",
        issuer="UBND tỉnh Bắc Ninh", issuer_level="province", jurisdiction="Bắc Ninh",
        name="cải cách hành chính nhà nước tỉnh Bắc Ninh giai đoạn 2025-2030",
        key="kh-69-2025-kh-ubnd-bac-ninh", path=path,
    )


def kh167(path: Path | None = VO_CUONG_FILE) -> Citation:
    return citation(
        "Kế hoạch số 167/KH-UBND ngày 17/12/2025 của UBND tỉnh Bắc Ninh",
        doc_type="KH", number="167", symbol="KH-UBND", year=2025, date="2025-12-17",
        issuer="UBND tỉnh Bắc Ninh", issuer_level="province", jurisdiction="Bắc Ninh",
        name="cải cách hành chính nhà nước tỉnh Bắc Ninh năm 2026",
        key="kh-167-2025-kh-ubnd-bac-ninh", path=path,
    )


def ct23(path: Path | None = VO_CUONG_FILE) -> Citation:
    return citation(
        "Chỉ thị số 23/CT-TTg ngày 02/9/2021 của Thủ tướng Chính phủ",
        doc_type="CT", number="23", symbol="CT-TTg", year=2021, date="2021-09-02",
        issuer="Thủ tướng Chính phủ", issuer_level="national",
        name="đẩy mạnh thực hiện Chương trình tổng thể CCHC nhà nước giai đoạn 2021-2030",
        key="ct-23-2021-ct-ttg", path=path,
    )


# ---------------------------------------------------------------- jurisdictions
def ai_quoc_jurisdiction() -> Jurisdiction:
    return Jurisdiction(name="Phường Ái Quốc", province="Thành phố Hải Phòng", code="10660", province_code="31", type="phường")


def hai_phong_jurisdiction() -> Jurisdiction:
    return Jurisdiction(name="Thành phố Hải Phòng", code="31", type="thành phố trung ương")


def bac_ninh_jurisdiction() -> Jurisdiction:
    return Jurisdiction(name="Tỉnh Bắc Ninh", code="24", type="tỉnh")


def vo_cuong_jurisdiction() -> Jurisdiction:
    return Jurisdiction(name="Phường Võ Cường", province="Tỉnh Bắc Ninh", code="9190", province_code="24", type="phường")


# ---------------------------------------------------------------- units
def unit(name: str, jurisdiction: Jurisdiction, *, aliases=(), roles=(), areas=(), path: Path | None = None) -> Unit:
    from plankb.kb.text import slug

    mentions = []
    if path is not None:
        try:
            mentions.append(UnitMention(surface=name, span=span_of(path, name)))
        except ValueError:
            pass
    return Unit(
        id=f"{slug(jurisdiction.name)}--{slug(name)}",
        name=name,
        aliases=list(aliases),
        roles=list(roles),
        areas=list(areas),
        jurisdiction=jurisdiction.name,
        jurisdiction_code=jurisdiction.code,
        mentions=mentions,
    )


# ---------------------------------------------------------------- tasks and indicators
def task(plan_id: str, path_label: str, text: str, area: str, *, file: Path, parent: str | None = None,
         lead=(), support=(), deadline: Deadline | None = None, start: int = 0) -> Task:
    return Task(
        id=f"{plan_id}.{path_label}",
        path=path_label,
        text=text,
        area=area,  # type: ignore[arg-type]
        parent_id=f"{plan_id}.{parent}" if parent else None,
        lead_units=list(lead),
        support_units=list(support),
        deadline=deadline,
        span=span_of(file, text, start),
    )


def indicator(plan_id: str, n: int, surface: str, sentence: str, value: float, *, file: Path, subject: str,
              unit_: str = "%", comparator: str = ">=", period: tuple[int, int] | None = None,
              area: str | None = None) -> Indicator:
    s = span_of(file, sentence)
    i = seed_text(file).find(surface, s.start)
    return Indicator(
        id=f"{plan_id}.ind{n}",
        subject=subject,
        value=value,
        unit=unit_,
        comparator=comparator,
        period=Period(start=period[0], end=period[1]) if period else None,
        area=area,  # type: ignore[arg-type]
        surface=surface,
        sentence=sentence,
        span=Span(start=i, end=i + len(surface)),
    )


# ---------------------------------------------------------------- plans
AI_QUOC_ID = "phuong-ai-quoc-2026-2030"
HAI_PHONG_ID = "thanh-pho-hai-phong-2026-2030"
BAC_NINH_ID = "tinh-bac-ninh-2025-2030"
VO_CUONG_ID = "phuong-vo-cuong-2026"


def ai_quoc(**overrides) -> PlanRecord:
    """Seed 000: phường Ái Quốc, 2026-2030, draft; based on NQ 76 and QĐ 1478 (-> seed 001)."""
    f, pid = AI_QUOC_FILE, AI_QUOC_ID
    j = ai_quoc_jurisdiction()
    vhxh = unit("Phòng Văn hóa - Xã hội", j, aliases=["Phòng Văn hoá - Xã hội"], roles=["standing", "lead"],
                areas=["direction", "organization", "civil_service"], path=f)
    vp = unit("Văn phòng HĐND và UBND phường", j, roles=["lead"], areas=["institution"])
    tt = unit("Trung tâm Phục vụ hành chính công", j, roles=["lead"], areas=["procedure", "digital_government"])
    kt = unit("Phòng Kinh tế, Hạ tầng và Đô thị", j, roles=["lead", "support"], areas=["public_finance"])
    tasks = [
        task(pid, "II.1.a", "Xây dựng, hoàn thiện hệ thống văn bản quy phạm pháp luật, thúc đẩy phát triển kinh tế, xã hội của địa phương theo thể chế kinh tế thị trường định hướng xã hội chủ nghĩa:",
             "institution", file=f, lead=[vp.name], support=[vhxh.name]),
        task(pid, "II.1.a.1", "Thực hiện kiểm tra, rà soát việc triển khai các văn bản quy phạm pháp luật của cấp trên trên địa bàn",
             "institution", file=f, parent="II.1.a", lead=[vp.name]),
        task(pid, "II.1.đ", "Tham gia ý kiến, kiến nghị, sửa đổi, bổ sung các văn bản quy phạm pháp luật liên quan đến phát triển thị trường khoa học và công nghệ gắn với xây dựng cơ sở dữ liệu quốc gia về khoa học và công nghệ.",
             "institution", file=f, lead=[vp.name]),
        task(pid, "II.2.a", "Đẩy mạnh thực hiện rà soát, cắt giảm, đơn giản hóa đối với thủ tục hành chính.",
             "procedure", file=f, lead=[tt.name], support=[vhxh.name, vp.name],
             deadline=Deadline(text="Quý I/2026", start=None, end=None)),
        task(pid, "II.3.d", "Thực hiện sắp xếp các đơn vị sự nghiệp, trường học, cơ sở y tế nhà nước theo hướng dẫn của thành phố.",
             "organization", file=f, lead=[vhxh.name]),
        task(pid, "II.4.e", "Tăng cường kỷ cương, kỷ luật hành chính, trách nhiệm giải trình và phòng, chống tham nhũng trong hoạt động công vụ.",
             "civil_service", file=f, lead=[vhxh.name]),
        task(pid, "II.5.a", "Triển khai thực hiện cơ chế tài chính, bảo đảm phù hợp với Luật Ngân sách nhà nước và các luật có liên quan.",
             "public_finance", file=f, lead=[kt.name]),
        task(pid, "II.6.a", "Phát triển dữ liệu số, ứng dụng, nền tảng số và hạ tầng phục vụ cho phát triển Chính phủ số.",
             "digital_government", file=f, lead=[tt.name], support=["Phòng Văn hoá - Xã hội"]),
        task(pid, "III.1", "Tăng cường công tác chỉ đạo, điều hành việc triển khai thực hiện cải cách hành chính:",
             "direction", file=f, lead=[vhxh.name]),
    ]
    from datetime import date as _date

    tasks[3].deadline = Deadline(text="Quý I/2026", start=_date(2026, 1, 1), end=_date(2026, 3, 31))
    sent = "Tỷ lệ cấp kết quả giải quyết thủ tục hành chính điện tử đạt 100%."
    sent2 = "95% người dân, doanh nghiệp đánh giá hài lòng khi sử dụng dịch vụ công trực tuyến."
    indicators = [
        indicator(pid, 1, "100%", sent, 100.0, file=f, subject="Tỷ lệ cấp kết quả giải quyết thủ tục hành chính điện tử",
                  period=(2026, 2027), area="procedure", comparator="="),
        indicator(pid, 2, "95%", sent2, 95.0, file=f, subject="người dân, doanh nghiệp đánh giá hài lòng khi sử dụng dịch vụ công trực tuyến",
                  period=(2026, 2027), area="digital_government"),
    ]
    data = dict(
        source=str(f),
        sha256=sha256_of(f),
        id=pid,
        title="Cải cách hành chính Nhà nước trọng tâm giai đoạn 2026 - 2030 của phường Ái Quốc",
        doc_type="KH",
        number=None,
        is_draft=True,
        issuer="Chủ tịch Ủy ban nhân dân phường",
        level="commune",
        jurisdiction=j,
        period=Period(start=2026, end=2030),
        date=None,
        adopted_by=citation("Quyết định số      /QĐ-UBND ngày       tháng        năm 2026", doc_type="QĐ", symbol="QĐ-UBND",
                            year=2026, issuer="Chủ tịch Ủy ban nhân dân phường", path=f),
        legal_bases=[nq76(f), qd1478(f)],
        parent_plans=[qd1478(f)],
        citations=[nq76(f, "Nghị quyết số 76/NQ-CP của Chính phủ"),
                   citation("Kết luận số 205-KL/TW ngày 07/11/2025 của Bộ Chính trị", doc_type="KL", number="205",
                            symbol="KL/TW", year=2025, date="2025-11-07", issuer="Bộ Chính trị", issuer_level="national",
                            key="kl-205-2025-kl-tw", path=f)],
        tasks=tasks,
        units=[vhxh, vp, tt, kt],
        indicators=indicators,
        extractor_version="factory",
    )
    data.update(overrides)
    return PlanRecord(**data)


def hai_phong(**overrides) -> PlanRecord:
    """Seed 001: Hải Phòng 2026-2030; its own decision number is blank ('Quyết định số /QĐ-UBND')."""
    f, pid = HAI_PHONG_FILE, HAI_PHONG_ID
    j = hai_phong_jurisdiction()
    snv = unit("Sở Nội vụ", j, roles=["standing", "lead"], areas=["direction", "organization", "civil_service"])
    stp = unit("Sở Tư pháp", j, roles=["lead"], areas=["institution"])
    vp = unit("Văn phòng Ủy ban nhân dân thành phố", j, aliases=["Văn phòng UBND thành phố"], roles=["lead"], areas=["procedure"])
    stc = unit("Sở Tài chính", j, roles=["lead"], areas=["public_finance"])
    skh = unit("Sở Khoa học và Công nghệ", j, roles=["lead"], areas=["digital_government"])
    tasks = [
        task(pid, "II.1.a", "Xây dựng, hoàn thiện hệ thống văn bản quy phạm pháp luật, thúc đẩy phát triển kinh tế, xã hội của địa phương theo thể chế kinh tế thị trường định hướng xã hội chủ nghĩa:",
             "institution", file=f, lead=[stp.name]),
        task(pid, "II.1.a.1", "Tiến hành rà soát toàn bộ các văn bản quy phạm pháp luật của thành phố trong lĩnh vực xây dựng, kiểm tra, rà soát, hệ thống hóa văn bản theo Luật Ban hành văn bản quy phạm pháp luật.",
             "institution", file=f, parent="II.1.a", lead=[stp.name], support=[snv.name]),
        task(pid, "II.1.b.1", "Định kỳ tiến hành tự kiểm tra văn bản quy phạm pháp luật do Ủy ban nhân dân thành phố, Chủ tịch Ủy ban nhân dân thành phố ban hành.",
             "institution", file=f, lead=[stp.name], deadline=Deadline(text="Định kỳ hằng năm", recurrence="annual")),
    ]
    # one task per remaining area, located by section heading words in the seed
    text = seed_text(f)
    for n, (area, lead) in enumerate([("procedure", vp), ("organization", snv), ("civil_service", snv),
                                      ("public_finance", stc), ("digital_government", skh)], start=2):
        heading = {"procedure": "Cải cách thủ tục hành chính", "organization": "Cải cách tổ chức bộ máy hành chính nhà nước",
                   "civil_service": "Cải cách chế độ công vụ", "public_finance": "Cải cách tài chính công",
                   "digital_government": "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số"}[area]
        i = text.find(f"\n{n}. {heading}")
        line_start = text.find("\na)", i) + 1
        line_end = text.find("\n", line_start)
        body = text[line_start + 3:line_end].strip()
        tasks.append(task(pid, f"II.{n}.a", body, area, file=f, lead=[lead.name], start=i))
    sent = "Thành phố đạt cấp độ 3 mức độ trưởng thành về quản trị dữ liệu."
    indicators = [
        indicator(pid, 1, "95%", "95% người dân, doanh nghiệp đánh giá hài lòng khi sử dụng dịch vụ công trực tuyến.", 95.0, file=f,
                  subject="người dân, doanh nghiệp đánh giá hài lòng khi sử dụng dịch vụ công trực tuyến", period=(2026, 2027),
                  area="digital_government"),
        indicator(pid, 2, "cấp độ 3", sent, 3.0, file=f, subject="mức độ trưởng thành về quản trị dữ liệu", unit_="cấp độ",
                  comparator="=", period=(2026, 2027), area="digital_government"),
    ]
    data = dict(
        source=str(f),
        sha256=sha256_of(f),
        id=pid,
        title="Cải cách hành chính nhà nước trọng tâm giai đoạn 2026 – 2030 của thành phố Hải Phòng",
        doc_type="KH",
        number=None,
        is_draft=True,
        issuer="Chủ tịch Ủy ban nhân dân thành phố",
        level="province",
        jurisdiction=j,
        period=Period(start=2026, end=2030),
        adopted_by=citation("Quyết định số /QĐ-UBND ngày tháng năm 2026", doc_type="QĐ", symbol="QĐ-UBND", year=2026,
                            issuer="Chủ tịch Ủy ban nhân dân thành phố", path=f),
        legal_bases=[nq76(f, "Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ"), qd282(f)],
        parent_plans=[qd282(f)],
        citations=[],
        tasks=tasks,
        units=[snv, stp, vp, stc, skh],
        indicators=indicators,
        extractor_version="factory",
    )
    data.update(overrides)
    return PlanRecord(**data)


def bac_ninh(**overrides) -> PlanRecord:
    """A numbered province plan (KH 69/KH-UBND, 19/9/2025) with no source text of its own here."""
    j = bac_ninh_jurisdiction()
    sv = unit("Sở Nội vụ", j, roles=["standing"], areas=["direction"])
    pid = BAC_NINH_ID
    data = dict(
        source="bac-ninh-kh-69.txt",
        sha256=hashlib.sha256(b"bac-ninh-kh-69").hexdigest(),
        id=pid,
        title="Kế hoạch cải cách hành chính nhà nước tỉnh Bắc Ninh giai đoạn 2025-2030",
        doc_type="KH",
        number="69/KH-UBND",
        is_draft=False,
        issuer="UBND tỉnh Bắc Ninh",
        level="province",
        jurisdiction=j,
        period=Period(start=2025, end=2030),
        date="2025-09-19",
        legal_bases=[nq76()],
        tasks=[Task(id=f"{pid}.II.1", path="II.1", text="Tăng cường công tác chỉ đạo, điều hành cải cách hành chính.",
                    area="direction", lead_units=[sv.name], span=Span(start=0, end=58))],
        units=[sv],
        extractor_version="factory",
    )
    data.update(overrides)
    return PlanRecord(**data)


def vo_cuong(**overrides) -> PlanRecord:
    """Seed 004 (abridged): phường Võ Cường 2026, based on NQ 76, KH 69 and KH 167 of Bắc Ninh."""
    f, pid = VO_CUONG_FILE, VO_CUONG_ID
    j = vo_cuong_jurisdiction()
    vhxh = unit("Phòng Văn hóa - Xã hội", j, roles=["standing"], areas=["direction"])
    text = "Tiếp tục hiện đại hóa nền hành chính, xây dựng chính quyền điện tử, nâng cao chất lượng dịch vụ công"
    data = dict(
        source=str(f),
        sha256=sha256_of(f),
        id=pid,
        title="Cải cách hành chính nhà nước phường Võ Cường năm 2026",
        doc_type="KH",
        number=None,
        is_draft=True,
        issuer="UBND phường Võ Cường",
        level="commune",
        jurisdiction=j,
        period=Period(start=2026, end=2026),
        legal_bases=[nq76(f), kh69(f), kh167(f)],
        parent_plans=[kh69(f), kh167(f)],
        citations=[ct23(f)],
        tasks=[task(pid, "I.1.b", text, "digital_government", file=f, lead=[vhxh.name])],
        units=[vhxh],
        extractor_version="factory",
    )
    data.update(overrides)
    return PlanRecord(**data)


def all_records() -> list[PlanRecord]:
    return [ai_quoc(), hai_phong(), bac_ninh(), vo_cuong()]


# ---------------------------------------------------------------- the seed KB
@lru_cache(maxsize=1)
def pipeline_ready() -> bool:
    """True once `ingest.extract.document.extract_document` extracts seed 000 (the real seeds are then used)."""
    try:
        from plankb.ingest.extract.document import extract_document

        extract_document(AI_QUOC_FILE)
        return True
    except Exception:
        return False


@lru_cache(maxsize=1)
def seed_kb():
    """An in-memory KB of the five seeds (through the pipeline), or of the factory records before
    the pipeline exists. Shared by tests: do not write to it."""
    from plankb.kb.store import KnowledgeBase

    kb = KnowledgeBase.in_memory()
    if pipeline_ready():
        summary = ingest_paths(kb, [SEEDS], progress=False)
        assert not summary.failed, summary.errors
    else:
        for r in all_records():
            ingest_record(kb, r, link=False)
        link_plans(kb)
    return kb


def plan_iri_by_code(kb, code: str, period: tuple[int, int] | None = None) -> str:
    """IRI of the plan whose jurisdiction has this official code (and period)."""
    rows = kb.select(f"""SELECT DISTINCT ?p ?s ?e WHERE {{ ?p a pk:Plan ; pk:jurisdiction/pk:code "{code}"
                         OPTIONAL {{ ?p pk:periodStart ?s ; pk:periodEnd ?e }} }}""")
    rows = [r for r in rows if period is None or (r.get("s"), r.get("e")) == period]
    assert len(rows) == 1, f"plans for code {code} {period}: {rows}"
    return rows[0]["p"]
