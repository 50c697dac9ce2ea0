"""The four plan layouts (seeds 000/001 "A", 002 "B", 003 "C", 004 "D") and the appendix task table.

Main entry point: `compose(spec, seed)`, the blocks and ground truth of one document.
"""
from __future__ import annotations

import random

from plankb.bench.synth.blocks import Block, Table, Truth
from plankb.bench.synth.common import AREA_ORDER, YEAR
from plankb.bench.synth.composer import Composer
from plankb.bench.synth.sections import (
    ROMAN,
    _area_heading,
    _boiler,
    _closing,
    _header,
    _indicator_lines,
    _prose_tasks,
    _responsibilities,
)
from plankb.bench.synth.specs import Spec


def compose(spec: Spec, seed: int) -> tuple[list[Block], Truth, dict]:
    """Blocks and ground truth of one document."""
    c = Composer(spec, seed)
    _header(c)
    {"A": _layout_a, "B": _layout_b, "C": _layout_c, "D": _layout_d}[spec.style](c)
    meta = {"title": c.title, "number": c.shown_number, "date": c.shown_date, "base_forms": c.base_forms}
    return c.blocks, c.t, meta


def _budget_and_duties(c: Composer, budget: str, execution: str, duties: str, k: int) -> None:
    """The budget section, then the execution section's general duties as k bullets."""
    c.para(budget)
    c.para(_boiler(c, "budget", 1)[0])
    c.para(execution)
    c.para(duties)
    for p in _boiler(c, "general_duties", k):
        c.para(f"- {p}", bullet=True)


# ------------------------------------------------------------------ layout A (seeds 000, 001)
def _layout_a(c: Composer) -> None:
    r, s = c.r, c.s
    five = s.period[0] != s.period[1]
    bullets = ("-", "+", "·") if r.random() < 0.4 else ("-",)
    if len(bullets) > 1:
        c.t.mess.add("mixed_bullets")
    c.para("I. MỤC TIÊU, CHỈ TIÊU, YÊU CẦU" + (":" if r.random() < 0.4 else ""))
    c.para("1. Mục tiêu:")
    for p in _boiler(c, "purpose", 3):
        c.para(f"- {p}", bullet=True)
    c.para("2. Một số chỉ tiêu cụ thể")
    if five:
        stages = [((s.period[0], s.period[0] + 1), None), ((s.period[0] + 2, s.period[1]), "stage2")]
        for (a, b), section in stages:
            c.para(f"- Giai đoạn {a} - {b}:", bullet=True)
            lines = (_indicator_lines(c, ("procedure", "digital_government", "organization"), 1, (a, b))
                     if section is None else _indicator_lines(c, ["stage2"], 3, (a, b), section="stage2"))
            for text, inds in lines:
                c.t.indicators.extend(inds)
                c.para(f"+ {text}", bullet=True)
    else:
        for text, inds in _indicator_lines(c, ("direction", "procedure", "digital_government"), 1, s.period):
            c.t.indicators.extend(inds)
            c.para(f"- {text}", bullet=True)
    c.para("(Các cơ quan, đơn vị đầu mối chịu trách nhiệm theo dõi, đánh giá các chỉ tiêu tại Phụ lục I kèm theo)")
    c.para("3. Yêu cầu:")
    for p in _boiler(c, "requirement", 2):
        c.para(f"- {p}", bullet=True)
    c.para("II. NHIỆM VỤ TRỌNG TÂM")
    for i, area in enumerate(AREA_ORDER[1:], start=1):
        bm = f"[bookmark: dieu_{i}_1]" if r.random() < 0.15 and s.fmt == "text" else ""
        if bm:
            c.t.mess.add("bookmarks")
        c.para(f"{bm}{i}. {_area_heading(c, area)}")
        for p in _prose_tasks(c, area, r.randint(3, 6), letters=True, bullets=bullets):
            c.blocks.append(p)
    c.para("(Kèm theo Danh mục nhiệm vụ tại Phụ lục II)")
    c.para("III. GIẢI PHÁP THỰC HIỆN")
    sols = c.d["solutions"]
    chosen = c.sample(sols, r.randint(4, len(sols)))
    for j, (area, heading, bullets_, standalone) in enumerate(chosen, start=1):
        htext = c.fill(heading)[0]
        if standalone:
            c.para(f"{j}. {htext}")
            c.add_task(htext, area)
            continue
        c.para(f"{j}. {htext}")
        for b in c.sample(bullets_, r.randint(1, len(bullets_))):
            bt, inds = c.fill(b, area=area, period=s.period)
            c.add_task(bt, area, inds=inds)
            c.para(f"- {bt}", bullet=True)
    _budget_and_duties(c, "IV. KINH PHÍ", "V. TỔ CHỨC THỰC HIỆN",
                       "1. Thủ trưởng các cơ quan, đơn vị: Có trách nhiệm trực tiếp chỉ đạo, triển khai toàn diện Kế hoạch "
                       "này, trong đó tập trung vào các nhiệm vụ chủ yếu sau:", 2)
    _responsibilities(c, "2.", "Trách nhiệm cụ thể của một số cơ quan, đơn vị")
    _closing(c, recipients=c.level == "commune" and s.adopted_by is None)


# ------------------------------------------------------------------ layout B (seed 002)
def _layout_b(c: Composer) -> None:
    r, s = c.r, c.s
    c.para("I. MỤC ĐÍCH, YÊU CẦU")
    c.para("1. Mục đích, yêu cầu")
    for p in _boiler(c, "purpose", 2) + _boiler(c, "requirement", 2):
        c.para(f"- {p}", bullet=True)
    c.para("2. Một số chỉ tiêu chủ yếu:")
    for text, inds in _indicator_lines(c, ("direction", "procedure", "digital_government"), 1, s.period):
        c.t.indicators.extend(inds)
        if r.random() < 0.3 and inds:
            text = text.replace(inds[-1]["text"], f"**{inds[-1]['text']}**", 1)
            c.t.mess.add("markdown_bold")
        c.para(f"- {text}", bullet=True)
    dup = r.random() < 0.5  # seed 002 numbers this section "2." a second time
    if dup:
        c.t.mess.add("duplicate_numbering")
    c.para("2. NHIỆM VỤ, GIẢI PHÁP" if dup else "II. NHIỆM VỤ, GIẢI PHÁP")
    for i, area in enumerate(AREA_ORDER, start=1):
        c.para(f"2.{i}. {_area_heading(c, area)}")
        for p in _prose_tasks(c, area, r.randint(2, 6), letters=False, bullets=("-",)):
            c.blocks.append(p)
    c.para("(Danh mục nhiệm vụ cụ thể tại Phụ lục kèm theo Kế hoạch này).")
    _budget_and_duties(c, "III. KINH PHÍ", "IV. TỔ CHỨC THỰC HIỆN", "1. Trách nhiệm chung", 3)
    _responsibilities(c, "2.", "Phân công trách nhiệm cụ thể của các cơ quan, đơn vị có liên quan")
    _closing(c)


# ------------------------------------------------------------------ layout C (seed 003)
def _layout_c(c: Composer) -> None:
    r, s = c.r, c.s
    c.para("**I. MỤC ĐÍCH, YÊU CẦU**")
    c.para("**1. Mục đích**")
    for p in _boiler(c, "purpose", 3):
        c.para(f"- {p}", bullet=True)
    c.para("**2. Yêu cầu**")
    for p in _boiler(c, "requirement", 3):
        c.para(f"- {p}", bullet=True)
    c.para("## **II. CHỈ TIÊU KẾT QUẢ CẦN ĐẠT ĐƯỢC VÀ NHÓM NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM**")
    coll = c.r.choice(c.d["units"]["collective"][c.level]).replace("{cap}", c.cap)
    c.note_unit({"function": "collective", "canonical": coll, "name": coll}, "support")
    for i, area in enumerate(AREA_ORDER, start=1):
        h4 = "####" if r.random() < 0.3 else "###"
        c.para(f"## **{i}. {_area_heading(c, area)}**" if i > 1 else f"### **{i}. {_area_heading(c, area)}**")
        c.para(f"{h4} **{i}.1. Chỉ tiêu kết quả cần đạt được**")
        for text, inds in _indicator_lines(c, [area], r.randint(1, 3), s.period):
            c.t.indicators.extend(inds)
            c.para(f"- {text}", bullet=True)
        c.para(f"{h4} **{i}.2. Nhóm nhiệm vụ, giải pháp trọng tâm**")
        leads = c.leads_of(area)
        for p in _prose_tasks(c, area, r.randint(3, 7), letters=False, bullets=("-",)):
            c.blocks.append(p)
        # the tasks of this area: lead = 'Chủ trì', support = the collective 'Phối hợp'
        for t in c.t.tasks:
            if t["area"] == area and t["origin"] == "prose" and not t["support_units"]:
                t["support_units"] = [coll]
        c.para(f"{h4} **{i}.3. Cơ quan thực hiện**")
        if area == "direction" and r.random() < 0.5:
            c.para(f"- Chủ tịch {c.ubnd_short} chịu trách nhiệm chỉ đạo xây dựng và tổ chức thực hiện Kế hoạch.", bullet=True)
        c.para(f"- Chủ trì: {', '.join(u['name'] for u in leads)}.", bullet=True)
        c.para(f"- Phối hợp: {coll}.", bullet=True)
        for u in leads:
            c.note_unit(u, "lead", area)
    _budget_and_duties(c, "## **III. KINH PHÍ**", "## **IV. TỔ CHỨC THỰC HIỆN**",
                       f"### **1. Trách nhiệm của Chủ tịch {c.ubnd_short}**", 2)
    c.para("## **2. Nhiệm vụ cụ thể**")
    c.para("Theo Phụ lục được ban hành kèm theo tại Kế hoạch này.")
    _closing(c)
    _appendix(c, r.randint(15, 40), layout=7)


# ------------------------------------------------------------------ layout D (seed 004)
def _layout_d(c: Composer) -> None:
    r = c.r
    c.para("I. MỤC ĐÍCH, YÊU CẦU")
    c.para("1. Mục đích")
    for p in _boiler(c, "purpose", 3):
        c.para(p)
    c.para("2. Yêu cầu")
    for p in _boiler(c, "requirement", 2):
        c.para(p)
    c.para("II. NỘI DUNG, MỤC TIÊU, NHIỆM VỤ")
    c.para(f"Kế hoạch CCHC nhà nước năm {YEAR} tập trung vào 6 nội dung, đó là: Cải cách thể chế; Cải cách TTHC; "
           "Cải cách tổ chức bộ máy hành chính nhà nước; Cải cách chế độ công vụ; Cải cách tài chính công; "
           "Chuyển đổi số trong các cơ quan nhà nước.")
    c.para("(Có Phụ lục chi tiết các mục tiêu, nhiệm vụ; phân công chủ trì, phối hợp và thời gian thực hiện cụ thể "
           "của từng lĩnh vực kèm theo)")
    _budget_and_duties(c, "III. KINH PHÍ THỰC HIỆN", "IV. TỔ CHỨC THỰC HIỆN",
                       "1. Các cơ quan chuyên môn, đơn vị thuộc UBND; các cơ quan, đơn vị liên quan có trách nhiệm", 3)
    _responsibilities(c, "2.", "Phân công nhiệm vụ đối với các cơ quan, đơn vị")
    _closing(c)
    if r.random() < 0.5:
        _appendix(c, r.randint(12, 30), layout=r.choice([6, 7]))
    else:
        c.t.mess.add("appendix_not_attached")


def _appendix(c: Composer, n: int, layout: int = 7) -> None:
    """The appendix task table (seed 003): a group row per area, numbered task rows."""
    r, s = c.r, c.s
    c.para("**PHỤ LỤC**  \n**CÁC NHIỆM VỤ TRỌNG TÂM CCHC NĂM " + str(YEAR) + "**" if s.style == "C"
           else "PHỤ LỤC", bold=True, center=True)
    c.para(f"*(Kèm theo Kế hoạch số {s.number or '/KH-UBND'} ngày tháng năm {YEAR} của UBND {c.place_text})*"
           if s.style == "C" else f"(Kèm theo Kế hoạch số {s.number or '     /KH-UBND'} của {c.ubnd_full} {c.place.short if c.place else ''})")
    leader_pool = [x.replace("{cap}", c.cap) for x in c.d["units"]["leaders"][c.level]]
    coll = r.choice(c.d["units"]["collective"][c.level]).replace("{cap}", c.cap)
    c.note_unit({"function": "collective", "canonical": coll, "name": coll}, "support")
    if layout == 7:
        head = ["TT", "Nhiệm vụ", "Nội dung/ sản phẩm", f"Lãnh đạo UBND {c.cap} chủ trì", "Cơ quan, đơn vị chủ trì",
                "Cơ quan, đơn vị phối hợp", "Thời gian hoàn thành"]
    else:
        head = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời gian hoàn thành"]
    rows: list[list[list[str]]] = [[[h] for h in head]]
    bold = {0}
    italic = set()
    if layout == 7 and r.random() < 0.6:
        rows.append([[str(i)] for i in range(1, 8)])
        italic.add(1)
    per_area = _split(n, len(AREA_ORDER), r)
    dl_texts = [t for t, _ in c.d["deadlines"]]
    dl_weights = [w for _, w in c.d["deadlines"]]
    k = 0
    for gi, area in enumerate(AREA_ORDER):
        pool = c.pool("table", area)
        if not pool or per_area[gi] == 0:
            continue
        label = _area_heading(c, area) if area != "direction" else r.choice(["Chỉ đạo điều hành", "Công tác chỉ đạo, điều hành"])
        rows.append([[ROMAN[gi]], [label]] + [[""] for _ in head[2:]])
        bold.add(len(rows) - 1)
        leads = c.leads_of(area) or [c.units["standing"]]
        for ln in c.sample(pool, per_area[gi]):
            k += 1
            task_text, _, product = ln.text.partition("|")
            task_text, inds = c.fill(task_text.strip(), area=area, period=s.period)
            products = [c.fill(p.strip())[0] for p in product.split(";") if p.strip()]
            lead = leads[0] if r.random() < 0.85 or len(leads) == 1 else leads[1]
            support = coll
            if r.random() < 0.15:
                other = r.choice([u for u in c.units.values() if u is not lead and u["kind"] in ("lead", "standing")])
                support = other["name"]
                c.note_unit(other, "support")
            deadline = c.fill(r.choices(dl_texts, dl_weights)[0])[0]
            leader = r.choice(leader_pool)
            c.note_unit(lead, "lead", area)
            c.add_task(task_text, area, origin="table", inds=inds, lead_units=[lead["canonical"]],
                       support_units=[support if support == coll else _canonical_of(c, support)],
                       products=products, deadline=deadline, leader=leader if layout == 7 else None)
            if layout == 7:
                row = [[str(k)], [task_text], products, [leader], [lead["name"]], [support], [deadline]]
            else:
                row = [[str(k)], [task_text], [lead["name"]], [support], products, [deadline]]
            rows.append(row)
    c.blocks.append(Table(rows, bold, italic))


def _canonical_of(c: Composer, printed: str) -> str:
    for u in c.units.values():
        if printed in u["names"]:
            return u["canonical"]
    return printed


def _split(n: int, k: int, r: random.Random) -> list[int]:
    weights = [r.uniform(0.6, 1.6) for _ in range(k)]
    total = sum(weights)
    out = [max(1, round(n * w / total)) for w in weights]
    return out
