"""Sections shared by the four layouts: header, title, legal bases, boilerplate, indicators, prose
task lists, responsibilities and the closing block.

Main entry point: `_header(c)`, the heading block and "Căn cứ …" paragraph every plan opens with.
"""
from __future__ import annotations

from typing import Iterable

from plankb.bench.synth.blocks import Para
from plankb.bench.synth.common import YEAR
from plankb.bench.synth.composer import Composer
from plankb.kb.text import fold

LETTERS = "a b c d đ e f g h i k".split()
ROMAN = "I II III IV V VI VII VIII IX X".split()


def _title(c: Composer) -> str:
    s = c.s
    if s.level == "national":
        return "Cải cách hành chính nhà nước trọng tâm giai đoạn 2026 – 2030"
    dash = c.r.choice(["-", "–", " - ", " – "])
    if s.period[0] != s.period[1]:
        period = f"giai đoạn {s.period[0]}{dash}{s.period[1]}"
        return c.r.choice([
            f"Cải cách hành chính nhà nước trọng tâm {period} của {c.place_text}",
            f"Cải cách hành chính Nhà nước trọng tâm {period} của {c.place_text}",
            f"Cải cách hành chính nhà nước {c.place_text} {period}",
        ])
    return c.r.choice([
        f"Cải cách hành chính nhà nước năm {YEAR} của {c.place_text}",
        f"Cải cách hành chính {c.place_text} năm {YEAR}",
        f"Cải cách hành chính nhà nước {c.place_text} năm {YEAR}",
    ])


def _header(c: Composer) -> None:
    s, r = c.s, c.r
    c.title = _title(c)
    md = s.style == "C"
    if s.level != "national" and r.random() < 0.35 and not md:
        # seed 000: the two-column header block converted to tab-separated lines
        issuer_line = "ỦY BAN NHÂN DÂN" if s.level == "commune" or r.random() < 0.5 else "ỦY BAN NHÂN DÂN"
        c.para(f" \t{issuer_line}", tight=True)
        c.para(c.place_text.upper(), tight=True)
        c.para("\t       CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", tight=True)
        c.para("        Độc lập - Tự  do - Hạnh phúc" if r.random() < 0.5 else "        Độc lập - Tự do - Hạnh phúc")
        c.t.mess.add("header_block")
    show_number = s.adopted_by is None and s.level != "national"
    blank_number = s.is_draft and r.random() < 0.7
    if show_number and (s.number and (md or s.style == "D" or r.random() < 0.6) or s.is_draft and blank_number):
        c.para(f"Số: {s.number}" if s.number else "Số: /KH-UBND")
        c.shown_number = s.number
        where = c.place.short
        if s.date:
            y, m, d = s.date.split("-")
            c.para(f"{where}, ngày {int(d):02d} tháng {int(m):02d} năm {y}")
            c.shown_date = s.date
        else:
            c.para(f"{where}, ngày tháng năm {s.period[0]}")
        if s.is_draft:
            c.t.mess.add("draft_blank_number")
    if s.is_draft and not (show_number and blank_number) and not s.adopted_blank or s.is_draft and r.random() < 0.3:
        c.para("        Dự thảo" if r.random() < 0.5 else "DỰ THẢO")
    # title
    if md:
        c.para(f"**KẾ HOẠCH**  \n**{c.title}**")
    elif r.random() < 0.25 and s.level != "national":
        c.para(f"KẾ HOẠCH {c.title}")
    else:
        c.para("KẾ HOẠCH", bold=True, center=True)
        if r.random() < 0.3 and len(c.title) > 60:
            cut = c.title.rfind(" giai đoạn") if " giai đoạn" in c.title else c.title.find(" ", 40)
            c.para(c.title[:cut].strip() + " ", bold=True, center=True, tight=True)
            c.para(c.title[cut:].strip(), bold=True, center=True)
        else:
            c.para(c.title, bold=True, center=True)
    if s.adopted_by is not None:
        a = s.adopted_by
        who = {"national": "Thủ tướng Chính phủ", "province": f"Chủ tịch Ủy ban nhân dân {c.cap}",
               "commune": f"Chủ tịch Ủy ban nhân dân {c.cap}"}[s.level]
        if s.level == "province" and a.doc_type == "QĐ" and s.period[0] == s.period[1]:
            who = f"Ủy ban nhân dân {c.cap}"
        if s.adopted_blank:
            c.para(f"(Kèm theo Quyết định số      /QĐ-UBND ngày       tháng        năm {s.period[0]}", tight=True)
            c.para(f"của {who})")
            c.t.mess.add("draft_blank_number")
        else:
            lead = "Ban hành kèm theo" if s.level == "national" or r.random() < 0.3 else "Kèm theo"
            c.para(f"({lead} {a.type_name} số {a.number}/{a.symbol} ngày {c.vn_date(a.date)}", tight=True)
            c.para(f"của {who})")
    _bases(c)


def _bases(c: Composer) -> None:
    """The 'Căn cứ …' paragraph: the plan's legal bases and parent plans."""
    s, r = c.s, c.r
    parts = []
    for i, b in enumerate(s.bases):
        local = b.issuer_level != "national"
        form = "full" if r.random() < 0.7 else "dated"
        c.base_forms[b.key] = form
        text = c.cite(b, form=form, context_jurisdiction=local)
        if b.key == "nq76" and r.random() < 0.4:
            text += " (gọi tắt là Nghị quyết số 76/NQ-CP)"
        parts.append(text)
    if not parts:
        return
    if s.level == "national":
        who = "Thủ tướng Chính phủ"
    elif s.level == "province":
        who = f"Ủy ban nhân dân {c.place_text}"
    else:
        who = f"{c.ubnd_short if r.random() < 0.5 else c.ubnd_full} {c.place.short}"
    if s.adopted_by is not None and s.level != "national":
        who = f"Chủ tịch Ủy ban nhân dân {c.cap}"
    verb = r.choice(["ban hành Kế hoạch", "xây dựng Kế hoạch"])
    what = "cải cách hành chính nhà nước" + (f" năm {YEAR}" if s.period[0] == s.period[1] else
                                              f" trọng tâm giai đoạn {s.period[0]} - {s.period[1]}")
    if s.level == "national":
        c.para("Căn cứ " + "; căn cứ ".join(parts) + f"; Thủ tướng Chính phủ ban hành Kế hoạch {what} như sau:")
        return
    form = r.random()
    if form < 0.5:
        glue = r.choice(["; ", "; căn cứ ", ", Căn cứ "])
        c.para("Căn cứ " + glue.join(parts) + f", {who} {verb} {what} (gọi tắt là Kế hoạch) như sau:"
               if r.random() < 0.4 else "Căn cứ " + glue.join(parts) + f", {who} {verb} {what}, cụ thể như sau:")
    elif form < 0.75:
        c.para("Thực hiện " + "; ".join(parts) + f"; căn cứ tình hình thực tiễn và yêu cầu nhiệm vụ phát triển kinh tế – xã hội "
               f"của địa phương, {who} {verb} {what} nhằm tiếp tục đẩy mạnh cải cách toàn diện, đồng bộ, nâng cao hiệu lực, "
               "hiệu quả hoạt động của bộ máy hành chính nhà nước. Cụ thể như sau:")
    else:
        c.para("Căn cứ " + "; ".join(parts) + f", {who} {verb} công tác Cải cách hành chính (CCHC) năm {YEAR} như sau:"
               if s.period[0] == s.period[1] else "Căn cứ " + "; ".join(parts) + f", {who} {verb} {what} như sau:")


# ------------------------------------------------------------------ shared sections
def _boiler(c: Composer, pool: str, k: int) -> list[str]:
    lines = c.sample(c.pool("boiler", pool), k)
    return [c.fill(ln.text, record_indicators=False)[0] for ln in lines]


def _indicator_lines(c: Composer, areas: Iterable[str], k: int, period, section: str | None = None) -> list[tuple[str, list]]:
    out = []
    for area in areas:
        pool = c.pool("indicators", section or area)
        for ln in c.sample(pool, min(k, len(pool))):
            text, inds = c.fill(ln.text, area=None if section else area, period=period)
            for ind in inds:
                ind["area"] = ind["area"] or _guess_area(text)
            out.append((text, inds))
    return out


def _guess_area(text: str) -> str:
    f = fold(text)
    if "thu tuc" in f or "dich vu cong" in f or "tthc" in f or "hai long" in f:
        return "procedure"
    if "du lieu" in f:
        return "digital_government"
    return "direction"


def _bullet(c: Composer, style_set: tuple[str, ...] = ("-",)) -> str:
    return c.r.choice(style_set)


def _prose_tasks(c: Composer, area: str, k: int, letters: bool, bullets: tuple[str, ...], md: bool = False,
                 parent: int | None = None) -> list[Para]:
    """k prose items of `area` as paragraphs (letters a) b) … or bullets), children as sub-bullets."""
    pool = c.pool("prose", area)
    items = c.sample(pool, k)
    out: list[Para] = []
    li = 0
    for item in items:
        text, inds = c.fill(item.text, area=area, period=c.s.period)
        kids = [ch for ch in item.children if ch.allowed(c.level)] if item.marker == "=" else []
        if kids and c.r.random() < 0.25:
            kids = []
        if kids and not letters:
            # a heading without letters: print it as a bullet ending with ':'
            pass
        if item.marker == "=" and not kids:
            text = text.rstrip(":") + "."
        label = f"{LETTERS[li]}) " if letters else f"{_bullet(c, bullets)} "
        li += 1 if letters else 0
        n = c.add_task(text, area, parent=parent, inds=inds)
        out.append(Para(label + text, bullet=not letters))
        if kids:
            sub = c.sample(kids, c.r.randint(1, len(kids)))
            sub_bullets = ("-", "+", "·") if letters else ("+",)
            for ch in sub:
                t2, inds2 = c.fill(ch.text, area=area, period=c.s.period)
                c.add_task(t2, area, parent=n, inds=inds2)
                out.append(Para(f"{c.r.choice(sub_bullets)} {t2}", bullet=True))
                c.t.mess.add("mixed_bullets") if len(sub_bullets) > 1 else None
    return out


def _area_heading(c: Composer, area: str) -> str:
    h = c.d["units"]["area_headings"][area]
    if c.level == "national" and area == "digital_government":
        return "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số"
    return c.r.choice(h)


def _responsibilities(c: Composer, numbered: str, title: str) -> None:
    """'Trách nhiệm cụ thể' / 'Phân công nhiệm vụ': one paragraph block per unit, stating the areas it leads."""
    r = c.r
    c.para(f"{numbered} {title}")
    phrases = c.d["units"]["area_phrases"]
    duties = c.d["units"]["duties"]
    order = ["standing"] + [f for f in c.units if f != "standing"]
    idx = 0
    for fn in order:
        u = c.units.get(fn)
        if u is None or u["kind"] == "front" and r.random() < 0.5:
            continue
        idx += 1
        prefix = f"{numbered.rstrip('.').split('.')[0]}.{idx}." if numbered[0].isdigit() else f"{idx}."
        name = u["name"]
        suffix = r.choice(["", ":", ""])
        if u["kind"] == "front":
            c.para(f"{prefix} Đề nghị {name}: " + duties["front"][0])
            c.note_unit(u, "support")
            continue
        c.para(f"{prefix} {name}{suffix}")
        c.note_unit(u, "lead" if u["areas"] else "support")
        lines = []
        if u["kind"] == "standing":
            lines.append(c.fill(duties["standing"][0])[0])
            c.note_unit(u, "standing")
        areas = u["areas"]
        if areas:
            named = [r.choice(phrases[a]) for a in areas]
            if len(named) > 1 and r.random() < 0.5:
                lines.append(f"Chủ trì triển khai các nội dung: {'; '.join(named)}.")
            else:
                for a in named:
                    lines.append(f"Chủ trì, phối hợp các cơ quan có liên quan tham mưu {c.ubnd_full} thực hiện, theo dõi, "
                                 f"tổng hợp các nhiệm vụ về {a}.")
            for a in areas:
                c.note_unit(u, "lead", a)
            if r.random() < 0.5 and u["kind"] != "standing":
                lines.append(c.fill(r.choice(duties["lead_extra"]))[0])
        elif u["kind"] in duties:
            lines += [c.fill(x)[0] for x in c.sample(duties[u["kind"]], r.randint(1, len(duties[u["kind"]])))]
        dash = r.random() < 0.6
        for ln in lines:
            c.para(f"- {ln}" if dash else ln, bullet=dash)


def _closing(c: Composer, recipients: bool = True) -> None:
    r = c.r
    c.para(_boiler(c, "closing", 1)[0])
    if recipients and c.level != "national":
        nn = "***Nơi nhận:***" if c.s.style == "C" else "Nơi nhận:"
        c.para(nn, tight=True)
        rec = [f"- Ủy ban nhân dân {c.prov} (để báo cáo);" if c.level == "commune" else "- Bộ Nội vụ (để báo cáo);",
               "- Sở Nội vụ (b/c);" if c.level == "commune" else "- Thường trực Thành ủy, HĐND (b/c);",
               f"- TT Đảng ủy, HĐND {c.cap};" if c.level == "commune" else "- Các sở, ban, ngành;",
               f"- CT, các PCT UBND {c.cap};", f"- Các phòng, ban, đơn vị thuộc {c.cap};" if c.level == "commune"
               else "- UBND các xã, phường, đặc khu;", "- Lưu: VT."]
        for x in rec:
            c.para(x, tight=True)
        fam, mid, giv = (c.d["names"][k] for k in ("family", "middle", "given"))
        person = f"{r.choice(fam)} {r.choice(mid)} {r.choice(giv)}"
        if r.random() < 0.6:
            sig = "**TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH**" if c.s.style in ("B", "C", "D") else "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
        else:
            sig = "**KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH**" if c.s.style in ("B", "C", "D") else "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
        c.para(sig)
        c.para(f"**{person}**" if c.s.style == "C" else person)
