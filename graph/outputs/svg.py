"""Small inline SVG charts for the report: horizontal bar charts, a links-per-year timeline and an ego map.

The SVG is written by hand (no JavaScript, no external fonts or styles) so the report opens offline;
every text taken from the data is escaped. Each chart is well-formed XML.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from thbkg.graph.analytics.change import UNSTATED
from thbkg.graph.outputs.text import format_number, shorten
from thbkg.graph.rdf.vocab import load_vocabulary

SVG_NS = "http://www.w3.org/2000/svg"
#: Colours of the confidence levels, strongest first (greens to ochre), then of links with none stated.
CONFIDENCE_PALETTE = ("#1b7837", "#7fbf7b", "#d9a441", "#b2182b", "#762a83")
UNSTATED_COLOUR = "#9e9e9e"
#: Longest bar label drawn in full (the whole label is the tooltip); it fits the 400-unit chart.
BAR_LABEL_WIDTH = 50
#: Ego map: text, linked-node and muted colours (each at least 4.5:1 on white), then the line of each state
#: of a tie as ``(colour, stroke-dasharray)``; an unknown state is drawn as ``in_force``.
EGO_TEXT, EGO_LINKED, EGO_MUTED = "#1b1b1b", "#1f4e9c", "#5f6368"
EGO_TIES = {"in_force": ("#3c4043", None), "not_in_force": ("#3c4043", "6 4"), "ended": (EGO_MUTED, "2 3")}
#: Ego map labels: at most two lines of about this many characters (shorter than 22 on one line, which
#: would not fit beside a node at the side of a 360-unit map).
EGO_LINE_CHARS = 13
#: Radius of a neighbour's node, and gap between a node and its label, in user units.
EGO_NODE_R, EGO_GAP = 6, 4


def confidence_colours():
    """``(level, colour)`` for each confidence level of the ontology, strongest first, then ``unstated``.

    >>> confidence_colours()
    (('high', '#1b7837'), ('medium', '#7fbf7b'), ('low', '#d9a441'), ('unstated', '#9e9e9e'))
    """
    levels = load_vocabulary().confidence_order
    colours = tuple(zip(levels, CONFIDENCE_PALETTE + (UNSTATED_COLOUR,) * len(levels), strict=False))
    return colours + ((UNSTATED, UNSTATED_COLOUR),)


def _num(value):
    """A number as the charts write it: integers plainly, others with 4 significant digits."""
    return format_number(float(value), significant=True)


def bar_chart(items, title, width=400, bar_height=12, font_size=13):
    """A horizontal bar chart, one bar per ``(label, value)`` pair, in the given order.

    Each label is written on its own line above its bar, so the chart is narrow (400 units by default)
    and stays legible when a phone scales it down to its viewBox: at 368 px wide its text is still
    about 12 px high.

    Parameters
    ----------
    items : sequence of (str, float)
        Labels and values; values must be >= 0.
    title : str
        Title shown above the bars (also the accessible name).
    width, bar_height, font_size : int
        Geometry in user units (pixels at the natural size).

    Returns
    -------
    str
        An ``<svg>`` element with a ``viewBox`` and one ``<rect class="bar">`` per item.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> svg = bar_chart([("Europol", 0.5), ("<b>", 0.25)], "PageRank")
    >>> root = ET.fromstring(svg)
    >>> len(root.findall(".//{http://www.w3.org/2000/svg}rect[@class='bar']"))
    2
    >>> root.get("viewBox"), "&lt;b&gt;" in svg
    ('0 0 400 97', True)
    """
    items = list(items)
    font = f'font-family="sans-serif" font-size="{font_size}"'
    top, row = font_size + 10, font_size + 4 + bar_height + 8
    height = top + max(1, len(items)) * row
    plot = max(10, width - 8 * font_size // 2 - 20)  # room for the value after the longest bar
    peak = max((float(v) for _, v in items), default=0.0) or 1.0
    out = [(f'<svg xmlns="{SVG_NS}" class="chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'),
           f"<title>{escape(title)}</title>",
           f'<text x="0" y="{font_size + 1}" {font} font-weight="bold">{escape(title)}</text>']
    if not items:
        out.append(f'<text x="0" y="{top + font_size}" {font}>no data</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = max(0.0, float(value)) / peak * plot
        text = str(label)
        out.append(f'<text x="0" y="{y + font_size}" {font}><title>{escape(text)}</title>'
                   f"{escape(shorten(text, BAR_LABEL_WIDTH))}</text>")
        bar_y = y + font_size + 4
        out.append(f'<rect class="bar" x="0" y="{bar_y}" width="{length:.1f}" height="{bar_height}" '
                   f'fill="#3b6ea5"><title>{escape(text)}: {_num(value)}</title></rect>')
        out.append(f'<text x="{length + 4:.1f}" y="{bar_y + bar_height - 1}" {font}>{_num(value)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def timeline_chart(years, title="Links per start year", width=400, height=250, font_size=12):
    """A column chart of links per start year, stacked by date confidence.

    Narrow (400 units by default) so that a phone scaling it to its viewBox keeps the text legible;
    a year is labelled every few columns (at most eight labels) and the legend has a line of its own.

    Parameters
    ----------
    years : sequence of dict
        As in ``links_per_year(net)["years"]``: ``year`` plus counts ``high``, ``medium``, ``low`` and
        ``unstated``.
    title : str
        Chart title.
    width, height, font_size : int
        Geometry in user units.

    Returns
    -------
    str
        An ``<svg>`` element with a ``viewBox`` and one ``<g class="year">`` per year.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> svg = timeline_chart([{"year": 2010, "high": 2, "medium": 0, "low": 1, "unstated": 0},
    ...                       {"year": 2011, "high": 0, "medium": 0, "low": 0, "unstated": 0}])
    >>> len(ET.fromstring(svg).findall(".//{http://www.w3.org/2000/svg}g[@class='year']"))
    2
    """
    years = list(years)
    font = f'font-family="sans-serif" font-size="{font_size}"'
    left, top, bottom = 8 + 3 * font_size, 2 * font_size + 6, 3 * font_size + 24
    plot_h = height - top - bottom
    n = max(1, len(years))
    step = (width - left - 6) / n
    colours = confidence_colours()
    totals = [sum(int(y.get(level, 0)) for level, _ in colours) for y in years]
    peak = max(totals, default=0) or 1
    base = top + plot_h
    out = [(f'<svg xmlns="{SVG_NS}" class="chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'),
           f"<title>{escape(title)}</title>",
           f'<text x="0" y="{font_size + 1}" {font} font-weight="bold">{escape(title)}</text>',
           f'<line x1="{left}" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#555"/>',
           f'<text x="{left - 4}" y="{top + font_size - 2}" text-anchor="end" {font}>{peak}</text>',
           f'<text x="{left - 4}" y="{base}" text-anchor="end" {font}>0</text>']
    if not years:
        out.append(f'<text x="{left + 5}" y="{top + 20}" {font}>no dated links</text>')
    label_every = max(1, -(-n // 8))
    for i, (year, total) in enumerate(zip(years, totals, strict=True)):
        x = left + i * step
        out.append(f'<g class="year"><title>{escape(str(year["year"]))}: {total} link(s)</title>')
        y = base
        for level, colour in colours:
            count = int(year.get(level, 0))
            if count:
                h = count / peak * plot_h
                y -= h
                out.append(f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(1.0, step - 1):.1f}" '
                           f'height="{h:.1f}" fill="{colour}"/>')
        out.append("</g>")
        if i % label_every == 0:
            out.append(f'<line x1="{x + step / 2:.1f}" y1="{base}" x2="{x + step / 2:.1f}" y2="{base + 4}" '
                       f'stroke="#555"/><text x="{x + step / 2:.1f}" y="{base + font_size + 5}" '
                       f'text-anchor="middle" {font}>{escape(str(year["year"]))}</text>')
    out.extend(_legend(colours, left, height, font_size))
    out.append("</svg>")
    return "\n".join(out)


def _legend(colours, left, height, font_size):
    """The timeline's legend: a line "date confidence:", then one swatch and word per level."""
    font = f'font-family="sans-serif" font-size="{font_size}"'
    out = [f'<text x="{left}" y="{height - font_size - 10}" {font}>date confidence:</text>']
    x = left
    for level, colour in colours:
        out.append(f'<rect x="{x}" y="{height - font_size - 1}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="{height - 3}" {font}>{escape(level)}</text>')
        x += 14 + round(len(level) * font_size * 0.6) + 14
    return out


def ego_map(center: Mapping, neighbours: Sequence[Mapping], *, title: str, width: int = 360, height: int = 300,
            font_size: int = 12, link_prefix: str | None = None) -> str:
    """An actor's ego network: the actor in the middle, its neighbours on a circle, one line to each.

    Neighbour *i* of *n* sits at the angle -90° + i·360°/n (the first straight above the centre, then
    clockwise) on a circle around the centre of the viewBox; the circle leaves room beside it for labels of
    two lines of about ``EGO_LINE_CHARS`` characters (see :func:`ego_geometry`). A label sits outside its
    node, anchored away from the centre; its node's tooltip gives the full label, the kinds and the count.

    Parameters
    ----------
    center : mapping
        ``id`` and ``label`` of the actor.
    neighbours : sequence of mapping
        In drawing order, each with ``id``, ``label``, ``kind`` (text of the tooltip), ``state``
        (``in_force``: solid line, ``not_in_force``: dashed, ``ended``: dotted grey; anything else is drawn
        as ``in_force``) and ``count`` (link records; the line is wider for more, up to 5).
    title : str
        Accessible name of the map (its ``<title>``).
    width, height, font_size : int
        Geometry in user units; the map is drawn 100 % wide, at most *width* pixels.
    link_prefix : str, optional
        When given, each neighbour is a link to ``{link_prefix}{id}.html``; the centre is never linked.

    Returns
    -------
    str
        An ``<svg>`` element with one ``<g class="ego-neighbour">`` per neighbour.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> svg = ego_map({"id": "iom", "label": "IOM"},
    ...               [{"id": "eu", "label": "European Union", "kind": "agreement", "state": "in_force", "count": 2},
    ...                {"id": "au", "label": "<AU>", "kind": "membership", "state": "ended", "count": 1}],
    ...               title="Ties of IOM", link_prefix="../actor/")
    >>> root = ET.fromstring(svg)
    >>> [a.get("href") for a in root.findall("{http://www.w3.org/2000/svg}a")]
    ['../actor/eu.html', '../actor/au.html']
    >>> first = root.find("{http://www.w3.org/2000/svg}a/{http://www.w3.org/2000/svg}g")
    >>> first.find("{http://www.w3.org/2000/svg}circle").attrib  # straight above the centre (180, 150)
    {'cx': '180.0', 'cy': '72.0', 'r': '6', 'fill': '#1f4e9c'}
    >>> "&lt;AU&gt;" in svg, "<AU>" in svg
    (True, False)
    """
    cx, cy, radius = ego_geometry(width, height, font_size)
    title_id = escape(f"ego-{center.get('id', '')}-title")
    role = "group" if link_prefix else "img"  # an image holds no links; a group of links is a group
    out = [(f'<svg xmlns="{SVG_NS}" class="chart ego-map" role="{role}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-labelledby="{title_id}">'),
           f'<title id="{title_id}">{escape(title)}</title>']
    n = len(neighbours)
    for i, neighbour in enumerate(neighbours):
        angle = math.radians(-90 + i * 360 / n)
        out.append(_ego_neighbour(neighbour, (cx, cy), angle, radius, font_size, link_prefix))
    out.append(_ego_centre(center, cx, cy, font_size, empty=not n))
    out.append("</svg>")
    return "\n".join(out)


def ego_geometry(width: int, height: int, font_size: int) -> tuple[float, float, int]:
    """``(cx, cy, radius)`` of the ego map: the centre of the viewBox and the neighbours' circle.

    The circle leaves beside it a node, a gap and a label line (``EGO_LINE_CHARS`` + 1 characters of
    0.55 em), and above and below it a node, a gap and two label lines.

    >>> ego_geometry(360, 300, 12)
    (180.0, 150.0, 78)
    """
    label = round((EGO_LINE_CHARS + 1) * 0.55 * font_size)
    side = width / 2 - EGO_NODE_R - EGO_GAP - label
    top = height / 2 - EGO_NODE_R - EGO_GAP - 2 * (font_size + 2)
    return width / 2, height / 2, max(10, math.floor(min(side, top)))


def _ego_neighbour(neighbour, centre, angle, radius, font_size, link_prefix):
    """One neighbour's ``<g>``: tooltip, line from the centre, node and label (in an ``<a>`` if linked)."""
    cx, cy = centre
    cos, sin = math.cos(angle), math.sin(angle)
    x, y = cx + radius * cos, cy + radius * sin
    colour, dashes = EGO_TIES.get(str(neighbour.get("state")), EGO_TIES["in_force"])
    count = max(1, int(neighbour.get("count") or 1))
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    reach = radius + EGO_NODE_R + EGO_GAP
    group = (f'<g class="ego-neighbour"><title>{escape(_ego_tooltip(neighbour, count))}</title>'
             f'<line class="tie" x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{colour}" '
             f'stroke-width="{1 + min(count, 5) * 0.6:.1f}"{dash}/>'
             f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{EGO_NODE_R}" fill="{EGO_LINKED if link_prefix else EGO_MUTED}"/>'
             f"{_ego_label(neighbour.get('label'), cx + reach * cos, cy + reach * sin, cos, sin, font_size)}</g>")
    if link_prefix is None:
        return group
    href = f"{link_prefix}{neighbour.get('id', '')}.html"
    return f'<a href="{escape(href)}">{group}</a>'


def _ego_tooltip(neighbour, count):
    """The full label, then the kinds of tie and the number of link records, on a line of their own."""
    records = f"{count} link record{'' if count == 1 else 's'}"
    kind = str(neighbour.get("kind") or "")
    return f"{neighbour.get('label', '')}\n{kind} · {records}" if kind else f"{neighbour.get('label', '')}\n{records}"


def _ego_label(label, x, y, cos, sin, font_size):
    """A neighbour's label at ``(x, y)``, just outside its node: it runs away from the centre."""
    lines = _label_lines(label)
    anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
    step = font_size + 2
    if sin < -0.3:  # above the centre: the lines end just above the node
        first = y - (len(lines) - 1) * step
    elif sin > 0.3:  # below: they start just below it
        first = y + font_size
    else:  # beside: centred on the node
        first = y - (len(lines) - 1) * step / 2 + font_size * 0.35
    spans = "".join(f'<tspan x="{x:.1f}" y="{first + k * step:.1f}">{escape(line)}</tspan>'
                    for k, line in enumerate(lines))
    return (f'<text text-anchor="{anchor}" font-family="sans-serif" font-size="{font_size}" fill="{EGO_TEXT}" '
            f'stroke="#fff" stroke-width="3" paint-order="stroke">{spans}</text>')


def _label_lines(label, per_line: int = EGO_LINE_CHARS) -> list[str]:
    """*label* on one line, or on two broken at a space, each shortened to about *per_line* characters.

    >>> _label_lines("International Organization for Migration")
    ['International', 'Organization…']
    >>> _label_lines("Europol"), _label_lines("Intergovernmentalorganisation")
    (['Europol'], ['Intergovernm…'])
    """
    text = " ".join(str("" if label is None else label).split())
    if len(text) <= per_line:
        return [text]
    cut = text[:per_line + 1].rfind(" ")
    if cut <= 0:
        return [shorten(text, per_line)]
    return [text[:cut], shorten(text[cut + 1:], per_line, words=True)]


def _ego_centre(center, cx, cy, font_size, empty):
    """The centre node with its label under it (on top of the lines), and "no ties" when it has none."""
    font = f'font-family="sans-serif" font-size="{font_size}" fill="{EGO_TEXT}"'
    label = str(center.get("label", ""))
    out = (f'<g class="ego-centre"><title>{escape(label)}</title>'
           f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{EGO_NODE_R + 3}" fill="{EGO_TEXT}"/>'
           f'<text x="{cx:.1f}" y="{cy + EGO_NODE_R + 3 + EGO_GAP + font_size:.1f}" text-anchor="middle" {font} '
           f'font-weight="bold" stroke="#fff" stroke-width="3" paint-order="stroke">'
           f"{escape(shorten(label, 22, words=True))}</text></g>")
    if empty:
        out += (f'\n<text x="{cx:.1f}" y="{cy + EGO_NODE_R + 3 + EGO_GAP + 2 * font_size + 6:.1f}" '
                f'text-anchor="middle" font-family="sans-serif" font-size="{font_size - 1}" '
                f'fill="{EGO_MUTED}">no ties</text>')
    return out
