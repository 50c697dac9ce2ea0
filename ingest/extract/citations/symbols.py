"""Document symbols ('QĐ-UBND', 'NQ/TW', 'KH-BNV'): tokens normalised, fused codes split, the
issuing organisation and document type read from them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from plankb.ingest.extract.citations.vocab import issuer_codes, symbol_types


# ---------------------------------------------------------------- symbols
def _norm_token(tok: str) -> str:
    tok = tok.replace("Ð", "Đ")
    u = tok.upper()
    if u in symbol_types():
        return symbol_types()[u]
    if u in issuer_codes():
        return issuer_codes()[u][0]
    m = re.fullmatch(r"(UBTVQH|QH)(\d{1,2})", u)
    if m:
        return m.group(1) + m.group(2)
    return tok


def _split_fused(tok: str) -> list[str]:
    """'QĐTTg' -> ['QĐ', 'TTg'], 'NQCP' -> ['NQ', 'CP'] (a type glued to its issuer by a typo)."""
    t = tok.replace("Ð", "Đ")
    if t.upper() in symbol_types() or t.upper() in issuer_codes():
        return [_norm_token(t)]
    for i in range(1, len(t)):
        a, b = t[:i].upper(), t[i:].upper()
        if a in symbol_types() and (b in issuer_codes() or _is_org_code(b)):
            return [_norm_token(t[:i]), _norm_token(t[i:])]
    return [_norm_token(t)]


def _is_org_code(tok: str) -> bool:
    u = tok.upper()
    return u in issuer_codes() or re.fullmatch(r"(?:UBTVQH|QH)\d{1,2}", u) is not None


def org_info(tok: str) -> tuple[str, str] | None:
    """(issuer name, level) for an issuer code of a symbol."""
    u = tok.upper()
    if u in issuer_codes():
        _, name, level = issuer_codes()[u]
        return name, level
    m = re.fullmatch(r"(UBTVQH|QH)\d{1,2}", u)
    if m:
        return issuer_codes()[m.group(1)][1:]
    return None


@dataclass
class Symbol:
    text: str | None  # normalised symbol: 'NQ-CP', 'NQ/TW', 'VPCP-TCCV'
    type_code: str | None  # type code inside the symbol, if any
    orgs: tuple[str, ...]  # issuer codes inside the symbol


def state_symbol(raw: str) -> Symbol:
    parts = [p for p in re.split(r"\s*[-–‑]\s*", raw.strip()) if p]
    tokens: list[str] = []
    for i, p in enumerate(parts):
        tokens.extend(_split_fused(p) if i == 0 else [_norm_token(p)])
    type_code = tokens[0] if tokens and tokens[0] in symbol_types().values() else None
    rest = tokens[1:] if type_code else tokens
    orgs: list[str] = []
    for t in rest:
        if not _is_org_code(t):
            break
        orgs.append(t)
        if not type_code:  # official letter: ISSUER-UNIT, the unit is no issuer
            break
    return Symbol("-".join(tokens), type_code, tuple(orgs))


def party_symbol(p_type: str, p_org: str) -> Symbol:
    t = _norm_token(p_type)
    orgs = [_norm_token(o) for o in re.split(r"[-–‑]", p_org) if o]
    return Symbol(f"{t}/{'-'.join(orgs)}", t if t in symbol_types().values() else None, tuple(orgs[:1]))
