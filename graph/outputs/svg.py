"""Small inline SVG charts for the report: horizontal bar charts and a links-per-year timeline.

The SVG is written by hand (no JavaScript, no external fonts or styles) so the report opens offline;
every text taken from the data is escaped. Each chart is well-formed XML.
"""

from __future__ import annotations

from html import escape

from thbkg.graph.analytics.change import UNSTATED
from thbkg.graph.outputs.text import format_number, shorten
from thbkg.graph.rdf.vocab import load_vocabulary

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "font-family=\"sans-serif\" font-size=\"12\""
#: Colours of the confidence levels, strongest first (greens to ochre), then of links with none stated.
CONFIDENCE_PALETTE = ("#1b7837", "#7fbf7b", "#d9a441", "#b2182b", "#762a83")
UNSTATED_COLOUR = "#9e9e9e"
#: Longest bar label drawn in full (the whole label is the tooltip).
BAR_LABEL_WIDTH = 32


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


def bar_chart(items, title, width=640, bar_height=18, label_width=220):
    """A horizontal bar chart, one bar per ``(label, value)`` pair, in the given order.

    Parameters
    ----------
    items : sequence of (str, float)
        Labels and values; values must be >= 0.
    title : str
        Title shown above the bars (also the accessible name).
    width, bar_height, label_width : int
        Geometry in pixels.

    Returns
    -------
    str
        An ``<svg>`` element with one ``<rect class="bar">`` per item.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> svg = bar_chart([("Europol", 0.5), ("<b>", 0.25)], "PageRank")
    >>> root = ET.fromstring(svg)
    >>> len(root.findall(".//{http://www.w3.org/2000/svg}rect[@class='bar']"))
    2
    >>> "&lt;b&gt;" in svg
    True
    """
    items = list(items)
    top = 24
    height = top + max(1, len(items)) * (bar_height + 6) + 6
    plot = max(10, width - label_width - 70)
    peak = max((float(v) for _, v in items), default=0.0) or 1.0
    out = [(f'<svg xmlns="{SVG_NS}" class="chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'),
           f"<title>{escape(title)}</title>",
           f'<text x="0" y="15" {FONT} font-weight="bold">{escape(title)}</text>']
    if not items:
        out.append(f'<text x="0" y="{top + 14}" {FONT}>no data</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + 6)
        length = max(0.0, float(value)) / peak * plot
        text = str(label)
        short = shorten(text, BAR_LABEL_WIDTH)
        out.append(f'<text x="{label_width - 6}" y="{y + bar_height - 5}" text-anchor="end" {FONT}>'
                   f"<title>{escape(text)}</title>{escape(short)}</text>")
        out.append(f'<rect class="bar" x="{label_width}" y="{y}" width="{length:.1f}" '
                   f'height="{bar_height}" fill="#3b6ea5"><title>{escape(text)}: {_num(value)}</title></rect>')
        out.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 5}" {FONT}>'
                   f"{_num(value)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def timeline_chart(years, title="Links per start year", width=720, height=220):
    """A column chart of links per start year, stacked by date confidence.

    Parameters
    ----------
    years : sequence of dict
        As in ``links_per_year(net)["years"]``: ``year`` plus counts ``high``, ``medium``, ``low`` and
        ``unstated``.
    title : str
        Chart title.

    Returns
    -------
    str
        An ``<svg>`` element with one ``<g class="year">`` per year.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> svg = timeline_chart([{"year": 2010, "high": 2, "medium": 0, "low": 1, "unstated": 0},
    ...                       {"year": 2011, "high": 0, "medium": 0, "low": 0, "unstated": 0}])
    >>> len(ET.fromstring(svg).findall(".//{http://www.w3.org/2000/svg}g[@class='year']"))
    2
    """
    years = list(years)
    left, bottom, top = 36, 40, 24
    plot_h = height - top - bottom
    n = max(1, len(years))
    step = (width - left - 10) / n
    colours = confidence_colours()
    totals = [sum(int(y.get(level, 0)) for level, _ in colours) for y in years]
    peak = max(totals, default=0) or 1
    out = [(f'<svg xmlns="{SVG_NS}" class="chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'),
           f"<title>{escape(title)}</title>",
           f'<text x="0" y="15" {FONT} font-weight="bold">{escape(title)}</text>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 5}" y2="{top + plot_h}" stroke="#555"/>',
           f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" {FONT}>{peak}</text>',
           f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" {FONT}>0</text>']
    if not years:
        out.append(f'<text x="{left + 5}" y="{top + 20}" {FONT}>no dated links</text>')
    label_every = max(1, round(n / 16))
    for i, (year, total) in enumerate(zip(years, totals, strict=True)):
        x = left + i * step
        out.append(f'<g class="year"><title>{escape(str(year["year"]))}: {total} link(s)</title>')
        y = top + plot_h
        for level, colour in colours:
            count = int(year.get(level, 0))
            if count:
                h = count / peak * plot_h
                y -= h
                out.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(1.0, step - 2):.1f}" '
                           f'height="{h:.1f}" fill="{colour}"/>')
        out.append("</g>")
        if i % label_every == 0:
            out.append(f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                       f'font-family="sans-serif" font-size="10">{escape(str(year["year"]))}</text>')
    out.append(f'<text x="{left}" y="{height - 5}" {FONT}>date confidence:</text>')
    lx = left + 110
    for level, colour in colours:
        out.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14}" y="{height - 5}" {FONT}>{level}</text>')
        lx += 90
    out.append("</svg>")
    return "\n".join(out)
