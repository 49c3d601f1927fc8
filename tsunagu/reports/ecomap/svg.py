"""The ecomap drawn as SVG, server-side: a radial layout (the person or household at the
centre, the household's members on an inner ring, every agency, meeting, place and watcher on
the outer ring), one line per tie in the colour of its kind and the line of its strength, and
a legend. Sized for A4 (1000 × 1000 user units); every text is escaped."""

from __future__ import annotations

import math
import unicodedata
from xml.sax.saxutils import escape, quoteattr

from tsunagu.common.wareki import format_wareki

from .graph import (
    ACTIVE,
    CATEGORY_LABELS,
    ENDED,
    INFORMAL,
    PENDING,
    STRENGTH_LABELS,
    STRENGTH_ORDER,
    STRONG,
    Ecomap,
    Edge,
    Node,
)

WIDTH = 1000
HEIGHT = 1000
CX, CY = 500, 415
INNER_RADIUS = 150
OUTER_RADIUS = 335
#: past this many nodes on the outer ring, every other one sits a little further out
CROWDED = 14
STAGGER = 48
FONT_FAMILY = "'Noto Sans CJK JP', 'IPAexGothic', sans-serif"

CATEGORY_COLOURS = {
    "family": "#555555",
    "case": "#1d4f91",
    "referral": "#c25a12",
    "consultation": "#2e7d32",
    "meeting": "#6a3d9a",
    "outreach": "#00796b",
    "participation": "#ad1457",
    "watch": "#8a6d00",
}
CATEGORY_SHORT = {
    "case": "事例",
    "referral": "つなぎ",
    "consultation": "相談",
    "meeting": "会議",
    "outreach": "アウトリーチ",
    "participation": "参加支援",
    "watch": "見守り",
}
NODE_FILLS = {
    "person": "#fff4d6",
    "household": "#fff4d6",
    "member": "#f4f4f4",
    "agency": "#ffffff",
    "meeting": "#f3eefa",
    "resource": "#fdeef4",
    "watcher": "#fbf6e3",
}
# stroke width, dash pattern, opacity, line cap
LINE_STYLES = {
    STRONG: (5.5, "", 1.0, "butt"),
    ACTIVE: (2.4, "", 1.0, "butt"),
    PENDING: (2.4, "10 6", 1.0, "butt"),
    INFORMAL: (2.8, "0.5 6", 1.0, "round"),
    ENDED: (1.8, "4 4", 0.6, "butt"),
}
_STRENGTH_RANK = {s: n for n, s in enumerate(STRENGTH_ORDER)}


# ---------------------------------------------------------------------- text


def _char_width(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.56


def text_width(text: str, size: float) -> float:
    return sum(_char_width(c) for c in text) * size


def wrap(text: str, size: float, width: float, lines: int = 3) -> list[str]:
    """``text`` in lines no wider than ``width`` (breaking before an opening bracket or
    after ・ where it can), at most ``lines`` of them, the last cut with …"""
    out: list[str] = []
    current = ""
    for char in text:
        if current and text_width(current + char, size) > width:
            cut = max(current.rfind("・") + 1, current.rfind("（"), current.rfind(" ") + 1)
            if cut > len(current) // 2:
                out.append(current[:cut].strip())
                current = current[cut:].lstrip()
            else:
                out.append(current)
                current = ""
        current += char
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        out[-1] = last + "…"
    return out


# ---------------------------------------------------------------------- boxes


class _Box:
    """A node's box: its lines of text (size, colour, weight) and its size."""

    def __init__(self, node: Node, categories: list[str], colour: str):
        self.node = node
        self.colour = colour
        centre = node.ring == 0
        member = node.ring == 1
        size = 17 if centre else 14 if member else 13
        width = 150 if centre else 130
        self.lines: list[tuple[str, float, str, str]] = []
        for line in wrap(node.label, size, width, 2 if member else 3):
            self.lines.append((line, size, "#111111", "bold" if centre else "normal"))
        if node.note:
            for line in wrap(node.note, 11, width, 2):
                self.lines.append((line, 11, "#444444", "normal"))
        if categories:
            tag = "・".join(CATEGORY_SHORT[c] for c in categories)
            for line in wrap(tag, 10.5, width, 2):
                self.lines.append((line, 10.5, colour, "bold"))
        widest = max(text_width(t, s) for t, s, _, _ in self.lines)
        self.w = max(widest + 18, 120 if centre else 70)
        self.h = sum(s * 1.3 for _, s, _, _ in self.lines) + 12
        if centre:
            self.h = max(self.h, 64)
        self.x = self.y = 0.0

    def draw(self) -> str:
        node = self.node
        x, y = self.x - self.w / 2, self.y - self.h / 2
        rx = 6
        if node.kind in ("person", "member"):
            rx = self.h / 2 if node.sex == "female" else 0 if node.sex == "male" else 10
        elif node.kind == "household":
            rx = 14
        hidden = node.kind == "member" and not node.sex and node.label.startswith("（")
        stroke = "#888888" if hidden else self.colour
        width = 2.4 if node.ring == 0 else 1.6
        dash = ' stroke-dasharray="4 3"' if hidden else ""
        parts = [
            f'<g class="node node-{node.kind}" data-node={quoteattr(node.id)}>',
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{self.w:.1f}" height="{self.h:.1f}" '
            f'rx="{rx:.1f}" fill="{NODE_FILLS.get(node.kind, "#ffffff")}" stroke="{stroke}" '
            f'stroke-width="{width}"{dash}/>',
        ]
        if node.ring == 0:  # the centre: a double border
            parts.append(
                f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="{self.w + 10:.1f}" '
                f'height="{self.h + 10:.1f}" rx="{rx + 5 if rx else 0:.1f}" fill="none" '
                f'stroke="{stroke}" stroke-width="1.2"/>'
            )
        total = sum(s * 1.3 for _, s, _, _ in self.lines)
        baseline = self.y - total / 2
        for text, size, colour, weight in self.lines:
            baseline += size * 1.3
            parts.append(
                f'<text x="{self.x:.1f}" y="{baseline - size * 0.3:.1f}" font-size="{size}" '
                f'fill="{colour}" font-weight="{weight}" text-anchor="middle">{escape(text)}</text>'
            )
        parts.append("</g>")
        return "".join(parts)


# ---------------------------------------------------------------------- layout


def _angle_diff(a: float, b: float) -> float:
    d = (a - b) % 360
    return min(d, 360 - d)


def _mean_angle(angles: list[float]) -> float | None:
    """The mean direction of ``angles``; ``None`` when they pull apart (members on opposite
    sides)."""
    x = sum(math.cos(math.radians(a)) for a in angles)
    y = sum(math.sin(math.radians(a)) for a in angles)
    if not angles or math.hypot(x, y) < 0.35 * len(angles):
        return None
    return math.degrees(math.atan2(y, x)) % 360


def _slots(n: int, start: float, span: float) -> list[float]:
    if n == 0:
        return []
    if span >= 360:
        return [(start + span * k / n) % 360 for k in range(n)]
    return [(start + span * (k + 0.5) / n) % 360 for k in range(n)]


def _place(box: _Box, angle: float, radius: float) -> None:
    box.x = CX + radius * math.cos(math.radians(angle))
    box.y = CY + radius * math.sin(math.radians(angle))
    box.x = min(max(box.x, box.w / 2 + 6), WIDTH - box.w / 2 - 6)
    box.y = min(max(box.y, box.h / 2 + 6), 800 - box.h / 2)


def _layout(ecomap: Ecomap, boxes: dict[str, _Box]) -> None:
    centre = ecomap.centre
    boxes[centre.id].x, boxes[centre.id].y = CX, CY
    inner = [n for n in ecomap.nodes if n.ring == 1]
    outer = [n for n in ecomap.nodes if n.ring == 2]
    angles: dict[str, float] = {}
    if ecomap.subject == "person":
        # the family below the person, the agencies around the rest of the circle
        spread = min(38.0, 150.0 / max(len(inner), 1))
        first = 90 - spread * (len(inner) - 1) / 2
        for k, node in enumerate(inner):
            angles[node.id] = first + spread * k
        if inner:
            free = 360 - spread * len(inner) - 30
            start = 90 + spread * len(inner) / 2 + 15
        else:
            free, start = 360.0, -90.0
        for node, angle in zip(outer, _slots(len(outer), start, free), strict=True):
            angles[node.id] = angle
    else:
        for node, angle in zip(inner, _slots(len(inner), -90, 360), strict=True):
            angles[node.id] = angle
        _outer_by_preference(ecomap, outer, angles)
    for node in inner:
        _place(boxes[node.id], angles[node.id], INNER_RADIUS)
    crowded = len(outer) > CROWDED
    for k, node in enumerate(sorted(outer, key=lambda n: angles[n.id])):
        radius = OUTER_RADIUS + (STAGGER if crowded and k % 2 else 0)
        _place(boxes[node.id], angles[node.id], radius)


def _outer_by_preference(ecomap: Ecomap, outer: list[Node], angles: dict[str, float]) -> None:
    """Each outer node near the members it is tied to; those tied to the household itself in
    the gaps between the members."""
    centre = ecomap.centre.id
    member_angles = sorted(angles.values())
    gaps = [
        (a + ((member_angles[(k + 1) % len(member_angles)] - a) % 360 or 360) / 2) % 360
        for k, a in enumerate(member_angles)
    ] or [-90.0]
    sources: dict[str, list[str]] = {}
    for edge in ecomap.edges:
        sources.setdefault(edge.target, []).append(edge.source)
    preferred: list[tuple[float, Node]] = []
    for k, node in enumerate(outer):
        tied = [angles[s] for s in sources.get(node.id, []) if s != centre and s in angles]
        mean = _mean_angle(tied)
        preferred.append((gaps[k % len(gaps)] if mean is None else mean, node))
    preferred.sort(key=lambda p: p[0])
    n = len(preferred)
    if not n:
        return
    step = 360 / n
    best, best_cost = 0.0, float("inf")
    for tenth in range(3600):
        offset = tenth / 10
        cost = sum(
            _angle_diff(pref, offset + step * k) ** 2 for k, (pref, _) in enumerate(preferred)
        )
        if cost < best_cost:
            best, best_cost = offset, cost
    for k, (_, node) in enumerate(preferred):
        angles[node.id] = (best + step * k) % 360


# ---------------------------------------------------------------------- lines and legend


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, strength: str) -> str:
    width, dash, opacity, cap = LINE_STYLES[strength]
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    if opacity < 1:
        extra += f' stroke-opacity="{opacity}"'
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
        f'stroke-width="{width}" stroke-linecap="{cap}"{extra}/>'
    )


def _edge(edge: Edge, boxes: dict[str, _Box]) -> str:
    a, b = boxes[edge.source], boxes[edge.target]
    colour = CATEGORY_COLOURS[edge.category]
    return (
        f'<g class="edge edge-{edge.category} edge-{edge.strength}" '
        f"data-from={quoteattr(edge.source)} data-to={quoteattr(edge.target)}>"
        f"<title>{escape(edge.label)}</title>"
        f"{_line(a.x, a.y, b.x, b.y, colour, edge.strength)}</g>"
    )


def _legend(top: float) -> str:
    parts = [
        f'<g class="legend"><rect x="20" y="{top}" width="960" height="{HEIGHT - top - 12}" '
        'fill="#ffffff" stroke="#bbbbbb" stroke-width="1" rx="6"/>',
        f'<text x="36" y="{top + 26}" font-size="13" font-weight="bold">'
        "線の種類（関わりの強さ）</text>",
        f'<text x="520" y="{top + 26}" font-size="13" font-weight="bold">色（関わりの種類）</text>',
    ]
    for k, strength in enumerate(STRENGTH_ORDER):
        y = top + 50 + k * 21
        parts.append(_line(36, y - 4, 96, y - 4, "#333333", strength))
        parts.append(
            f'<text x="106" y="{y}" font-size="12">{escape(STRENGTH_LABELS[strength])}</text>'
        )
    for k, (category, label) in enumerate(CATEGORY_LABELS.items()):
        x = 520 + (k % 2) * 220
        y = top + 50 + (k // 2) * 21
        colour = CATEGORY_COLOURS[category]
        parts.append(_line(x, y - 4, x + 40, y - 4, colour, ACTIVE))
        parts.append(f'<text x="{x + 50}" y="{y}" font-size="12">{escape(label)}</text>')
    y = top + 50 + 5 * 21
    parts.append(
        f'<rect x="36" y="{y - 13}" width="16" height="16" fill="#f4f4f4" stroke="#555555"/>'
        f'<text x="58" y="{y}" font-size="12">男性</text>'
        f'<rect x="106" y="{y - 13}" width="16" height="16" rx="8" fill="#f4f4f4" '
        'stroke="#555555"/>'
        f'<text x="128" y="{y}" font-size="12">女性</text>'
        f'<rect x="176" y="{y - 13}" width="16" height="16" rx="4" fill="#f4f4f4" '
        'stroke="#555555"/>'
        f'<text x="198" y="{y}" font-size="12">性別の記録なし</text>'
        f'<text x="520" y="{y}" font-size="12" fill="#444444">'
        "二重枠が中心。同じ相手との関わりが複数あるときは、いちばん強い線で描きます。</text>"
    )
    parts.append("</g>")
    return "".join(parts)


# ---------------------------------------------------------------------- the picture


def render_svg(ecomap: Ecomap, *, standalone: bool = True) -> str:
    """The ecomap as an SVG document (``standalone``: with the XML declaration, for the
    download) or element (inline in a page or a PDF, as wide as its box)."""
    edges = ecomap.strongest()
    categories: dict[str, list[str]] = {}
    colours: dict[str, tuple[int, str]] = {}
    for edge in ecomap.edges:
        if edge.category == "family":
            continue
        found = categories.setdefault(edge.target, [])
        if edge.category not in found:
            found.append(edge.category)
        rank = _STRENGTH_RANK[edge.strength]
        if edge.target not in colours or rank < colours[edge.target][0]:
            colours[edge.target] = (rank, CATEGORY_COLOURS[edge.category])
    boxes = {
        node.id: _Box(
            node,
            categories.get(node.id, []) if node.ring == 2 else [],
            colours.get(node.id, (0, "#333333"))[1] if node.ring == 2 else "#333333",
        )
        for node in ecomap.nodes
    }
    _layout(ecomap, boxes)
    ordered = sorted(edges.values(), key=lambda e: -_STRENGTH_RANK[e.strength])
    title = escape(ecomap.title)
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="ecomap-title" '
        f'font-family="{FONT_FAMILY}" class="ecomap-svg">',
        f'<title id="ecomap-title">{title}</title>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="20" y="32" font-size="20" font-weight="bold">{title}</text>',
        f'<text x="980" y="32" font-size="12" text-anchor="end" fill="#444444">'
        f"{escape(format_wareki(ecomap.today))}現在・閲覧できる範囲の関わり</text>",
        '<g class="edges">',
        *(_edge(e, boxes) for e in ordered),
        "</g>",
        '<g class="nodes">',
        *(boxes[n.id].draw() for n in reversed(ecomap.nodes)),
        "</g>",
    ]
    if len(ecomap.nodes) == 1:
        body.append(
            f'<text x="{CX}" y="{CY + 80}" font-size="14" text-anchor="middle" fill="#444444">'
            "閲覧できる範囲に、記録された関わりはありません。</text>"
        )
    body.append(_legend(812))
    body.append("</svg>")
    svg = "".join(body)
    if standalone:
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"
    return svg
