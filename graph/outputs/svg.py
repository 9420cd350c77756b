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
#: Colours of the confidence levels, strongest first (greens to ochre), then of links with none stated.
CONFIDENCE_PALETTE = ("#1b7837", "#7fbf7b", "#d9a441", "#b2182b", "#762a83")
UNSTATED_COLOUR = "#9e9e9e"
#: Longest bar label drawn in full (the whole label is the tooltip); it fits the 400-unit chart.
BAR_LABEL_WIDTH = 50


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
