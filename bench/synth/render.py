"""Rendering composed blocks to a plain-text / Markdown file or to a real Word document.

Main entry points: `render_text(...)` and `render_docx(...)`.
"""
from __future__ import annotations

from pathlib import Path

from plankb.bench.synth.blocks import Block, Para, Truth
from plankb.bench.synth.mess import Mess


def _cell_text(items: list[str], html: bool, mess: Mess) -> str:
    items = [mess.text(x) for x in items if x is not None]
    if len(items) <= 1:
        return items[0] if items else ""
    if html:
        return '<ul style="list-style-type: none;"> ' + " ".join(f"<li>- {x}</li>" for x in items) + " </ul>"
    return " ".join(f"- {x}" for x in items)


def render_text(blocks: list[Block], mess: Mess, markdown: bool, truth: Truth) -> str:
    sep = "\n\n" if (mess.spacious or markdown) else "\n"
    out: list[str] = []
    r = mess.r
    for b in blocks:
        if isinstance(b, Para):
            t = mess.maybe_break(mess.text(b.text))
            if markdown and b.bold and not t.startswith(("*", "#")):
                t = f"**{t}**"
            out.append(t + ("\n" if b.tight else sep))
        else:
            html = r.random() < 0.6
            if html:
                truth.mess.add("html_in_table")
            out.append("\n")
            for i, row in enumerate(b.rows):
                cells = [_cell_text(cell, html, mess) for cell in row]
                if i in b.bold_rows and html:
                    cells = [f"<b>{x}</b>" if x else "" for x in cells]
                if i in b.italic_rows and html:
                    cells = [f"<i>{x}</i>" for x in cells]
                # a row split across pages: the end of some cells continues on a later line
                if i not in b.bold_rows and r.random() < 0.12 and any(len(x) > 50 for x in cells):
                    first, rest = [], []
                    for x in cells:
                        if len(x) > 50 and "<" not in x:
                            cut = x.find(" ", len(x) // 2)
                            first.append(x[:cut] if cut > 0 else x)
                            rest.append(x[cut + 1:] if cut > 0 else "")
                        else:
                            first.append(x)
                            rest.append("")
                    out.append("\t".join(first) + "\n\n" + "\t".join(rest) + "\n")
                    truth.mess.add("table_row_split")
                else:
                    out.append("\t".join(cells) + "\n")
            out.append("\n")
    return "".join(out).rstrip("\n") + "\n"


def render_docx(blocks: list[Block], mess: Mess, path: Path, truth: Truth) -> None:
    import docx  # heavy (lxml); only the .docx share of the corpus needs it
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # python-docx (with lxml): loaded only to write a .docx

    d = docx.Document()
    list_bullets = mess.r.random() < 0.35
    if list_bullets:
        truth.mess.add("word_list_bullets")
    for b in blocks:
        if isinstance(b, Para):
            text = mess.text(b.text).replace("**", "")
            for line in text.split("\n"):
                if list_bullets and b.bullet and line[:2] in ("- ", "+ ", "· "):
                    p = d.add_paragraph(line[2:], style="List Bullet")
                    continue
                p = d.add_paragraph()
                run = p.add_run(line)
                run.bold = b.bold
                if b.center:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            ncols = max(len(r) for r in b.rows)
            t = d.add_table(rows=len(b.rows), cols=ncols)
            t.style = "Table Grid"
            for i, row in enumerate(b.rows):
                group = i in b.bold_rows and i > 0
                if group:  # the area row: its label spans the remaining columns
                    merged = t.cell(i, 1).merge(t.cell(i, ncols - 1))
                    merged.text = ""
                for j, items in enumerate(row):
                    if group and j > 1:
                        continue
                    cell = t.cell(i, j)
                    items = [mess.text(x) for x in items] or [""]
                    cell.paragraphs[0].text = ""
                    run = cell.paragraphs[0].add_run(items[0])
                    run.bold = i in b.bold_rows
                    for x in items[1:]:
                        cell.add_paragraph(x)
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
