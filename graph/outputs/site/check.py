"""Check a written site: links, anchors, external resources, JSON-LD, alternates, titles and headings.

:func:`check_site` reads every file of a folder written by ``thbkg site`` and returns one line per
problem, ``<file>: <message>``, sorted by file then message (empty when the site is fine):

* every internal URL (``href``, ``src``, ``srcset``, ``action``, ``data``, ``poster``, a refresh
  ``<meta>``, CSS ``url()`` and ``@import``) names a file inside the folder, and its ``#fragment``
  an ``id`` (or ``<a name>``) of the target page: ``broken link to <url>``, ``missing anchor #<frag>
  in <target>``;
* nothing is loaded from elsewhere (``loads an external resource <url>``); a page may only *link* out,
  with an ``<a rel="external noopener noreferrer">`` (``external link without rel="external noopener
  noreferrer": <url>``); no other scheme (``javascript:``, ``data:``, ``mailto:`` ...) appears in an
  HTML URL attribute (``unsafe URL scheme in <url>``), except ``data:image/...`` as an image and
  ``data:`` in CSS;
* every page has JSON-LD that parses (``no JSON-LD``, ``JSON-LD does not parse (...)``), a non-empty
  ``<title>`` (``no title``) and exactly one ``<h1>`` (``N h1 headings``); every entity page
  ``id/<kind>/<id>.html`` names its Turtle and JSON-LD files in ``<link rel="alternate">``
  (``no text/turtle alternate``, ``no application/ld+json alternate``).

>>> import tempfile
>>> site = tempfile.mkdtemp()
>>> page = ('<title>Home</title><script type="application/ld+json">{{}}</script>'
...         '<h1 id="top">Home</h1><a href="{}">next</a>')
>>> with open(os.path.join(site, "index.html"), "w", encoding="utf-8") as out:
...     _ = out.write(page.format("data.html#files"))
>>> check_site(site)
['index.html: broken link to data.html#files']
>>> with open(os.path.join(site, "data.html"), "w", encoding="utf-8") as out:
...     _ = out.write(page.format("index.html#top"))
>>> check_site(site)
['index.html: missing anchor #files in data.html']
>>> print(summarise(["a.html: no title", "b.html: no title"], limit=1))
a.html: no title
… and 1 more
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote

from thbkg.graph.errors import ThbkgError

#: File that marks a folder as written by thbkg; not part of the site.
MARKER_NAME = ".thbkg-output"
#: Tokens an ``<a rel>`` must hold for its ``href`` to leave the site.
EXTERNAL_REL = frozenset({"external", "noopener", "noreferrer"})
#: Media types every entity page must offer as ``<link rel="alternate">``.
ENTITY_ALTERNATES = ("text/turtle", "application/ld+json")
#: Fragments that need no element: the top of the page.
TOP_FRAGMENTS = frozenset({"", "top"})
#: Pages checked between two calls of the progress bar's ``update``.
PROGRESS_STEP = 1000
#: Longest URL written whole in a problem line (``data:`` URLs can be megabytes).
SHOWN_URL_LENGTH = 200

#: Files under this folder are downloads (the report, the tables…): they are link targets, not pages.
DOWNLOADS = "data/"
_ENTITY_PAGE = re.compile(r"id/(?:actor|link|source|region)/[^/]+\.html")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_REFRESH_URL = re.compile(r"""\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)""", re.IGNORECASE | re.DOTALL)
_SRCSET_URL = re.compile(r"[\s,]*(\S*)")
_URL_NOISE = " \t\n\r\f\v\x00"
#: Attributes that may hold a URL (the element decides how it is used; see :func:`attribute_references`).
URL_ATTRIBUTES = frozenset("href xlink:href src srcset imagesrcset action formaction poster background manifest "
                           "ping data content".split())

# Kinds of reference: how an external or other-scheme URL is judged.
LINK = "link"          # <a>/<area> href: may go out with the right rel
RESOURCE = "resource"  # loaded or submitted to: must stay inside
IMAGE = "image"        # an image: may also be data:image/...
CSS = "css"            # CSS url() / @import: may also be data:


@dataclass(frozen=True)
class Reference:
    """One URL in a page or style sheet, with how it is used and its ``<a rel>`` tokens."""

    url: str
    kind: str
    rel: frozenset = frozenset()


@dataclass
class ParsedPage:
    """What one pass over an HTML page collects."""

    references: list = field(default_factory=list)
    anchors: set = field(default_factory=set)
    json_ld: list = field(default_factory=list)
    alternates: list = field(default_factory=list)   # (media type, href)
    title: str | None = None
    h1_count: int = 0


class AnchorParser(HTMLParser):
    """Collect only the ids and ``<a name>`` values of a page (for fragment checks into it).

    >>> parser = AnchorParser()
    >>> parser.feed('<h2 id="links">Links</h2><a name="old"></a><p name="not-an-anchor">')
    >>> sorted(parser.anchors)
    ['links', 'old']
    """

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.anchors: set = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (name == "name" and tag == "a"):
                self.anchors.add(value or "")


class PageParser(HTMLParser):
    """Collect a page's URLs, anchors, JSON-LD blocks, alternates, title and ``<h1>`` count.

    >>> parser = PageParser()
    >>> parser.feed('<a id="x" href="a.html" rel="Next">a</a><img srcset="b.png 1x, c.png 2x">')
    >>> [(ref.url, ref.kind) for ref in parser.page.references], parser.page.anchors
    ([('a.html', 'link'), ('b.png', 'image'), ('c.png', 'image')], {'x'})
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._svg_depth = 0
        self._capture: tuple[str, list[str]] | None = None   # (tag, text so far)

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if tag == "svg":
            self._svg_depth += 1
        if "id" in values:
            self.page.anchors.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.anchors.add(values["name"])
        if tag == "h1":
            self.page.h1_count += 1
        if "style" in values:
            self.page.references.extend(css_references(values["style"]))
        if not URL_ATTRIBUTES.isdisjoint(values):
            self.page.references.extend(attribute_references(tag, values))
        if tag == "link" and "alternate" in rel_tokens(values):
            media_type = values.get("type", "").split(";")[0].strip().lower()
            self.page.alternates.append((media_type, values.get("href", "")))
        self._start_capture(tag, values)

    def _start_capture(self, tag, values):
        json_ld = tag == "script" and values.get("type", "").strip().lower() == "application/ld+json"
        if json_ld or tag == "style" or (tag == "title" and not self._svg_depth):
            self._capture = (tag, [])

    def handle_data(self, data):
        if self._capture is not None:
            self._capture[1].append(data)

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg_depth:
            self._svg_depth -= 1
        if self._capture is None or self._capture[0] != tag:
            return
        text = "".join(self._capture[1])
        self._capture = None
        if tag == "script":
            self.page.json_ld.append(text)
        elif tag == "style":
            self.page.references.extend(css_references(text))
        elif self.page.title is None:
            self.page.title = text


def rel_tokens(values: dict) -> frozenset:
    """The lower-case tokens of a ``rel`` attribute."""
    return frozenset(values.get("rel", "").lower().split())


def attribute_references(tag: str, values: dict) -> list[Reference]:
    """The URLs in one element's attributes, each with its kind of use."""
    references = []
    for name in ("href", "xlink:href"):
        if name in values:
            kind = LINK if tag in ("a", "area") else RESOURCE
            references.append(Reference(values[name], kind, rel_tokens(values) if kind == LINK else frozenset()))
    if "src" in values:
        references.append(Reference(values["src"], IMAGE if tag == "img" else RESOURCE))
    for name in ("srcset", "imagesrcset"):
        if name in values:
            kind = IMAGE if tag in ("img", "source") else RESOURCE
            references.extend(Reference(url, kind) for url in srcset_urls(values[name]))
    for name in ("action", "formaction", "poster", "background", "manifest"):
        if name in values:
            references.append(Reference(values[name], RESOURCE))
    if "ping" in values:
        references.extend(Reference(url, RESOURCE) for url in values["ping"].split())
    if tag == "object" and "data" in values:
        references.append(Reference(values["data"], RESOURCE))
    if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
        references.extend(Reference(url, RESOURCE) for url in [refresh_url(values.get("content", ""))] if url)
    return references


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` (commas inside a URL, as in ``data:``, are kept).

    >>> srcset_urls("a.png 1x, b.png 2x,c.png")
    ['a.png', 'b.png', 'c.png']
    """
    urls: list[str] = []
    position = 0
    while True:
        match = _SRCSET_URL.match(value, position)
        if match is None:  # the pattern matches an empty string too; kept for the type checker
            return urls
        url, position = match.group(1), match.end()
        if not url:
            return urls
        urls.append(url.rstrip(","))
        if not url.endswith(","):
            comma = value.find(",", position)   # skip the descriptors
            if comma < 0:
                return urls
            position = comma + 1


def refresh_url(content: str) -> str:
    """The URL of a ``<meta http-equiv="refresh" content="5; url=next.html">`` (empty if none)."""
    match = _REFRESH_URL.match(content)
    return match.group(1).strip().strip("'\"") if match else ""


def css_references(css: str) -> list[Reference]:
    """The ``url()`` and ``@import`` URLs of a style sheet, block or ``style`` attribute.

    >>> [ref.url for ref in css_references('@import "a.css"; /* url(x) */ b { background: url( "i.png" ) }')]
    ['i.png', 'a.css']
    """
    css = _CSS_COMMENT.sub("", css)
    matches = [*_CSS_URL.finditer(css), *_CSS_IMPORT.finditer(css)]
    return [Reference(next(group for group in match.groups() if group is not None), CSS) for match in matches]


def parse_page(text: str) -> ParsedPage:
    """Parse one HTML page in one pass."""
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser.page


class Site:
    """A written site: its files (read once) and, parsed on demand, the anchors of link targets."""

    def __init__(self, folder: str):
        self.folder = folder
        self.files = frozenset(site_files(folder))
        self._anchors: dict[str, set] = {}

    def read(self, path: str) -> str:
        """The text of one file of the site (UTF-8; raises OSError or UnicodeDecodeError)."""
        with open(os.path.join(self.folder, *path.split("/")), "rb") as stream:
            return stream.read().decode("utf-8")

    def anchors(self, page: str) -> set:
        """The ids and ``<a name>`` values of *page*, parsed once when first asked for."""
        if page not in self._anchors:
            try:
                parser = AnchorParser()
                parser.feed(self.read(page))
                parser.close()
                self._anchors[page] = parser.anchors
            except (OSError, UnicodeDecodeError, AssertionError):
                self._anchors[page] = set()
        return self._anchors[page]


def site_files(folder: str) -> set[str]:
    """Every file under *folder* as a relative POSIX path, without the thbkg marker files."""
    files: set[str] = set()
    for directory, _, names in os.walk(folder):
        relative = os.path.relpath(directory, folder).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        files.update(prefix + name for name in names if name != MARKER_NAME)
    return files


def clean_url(url: str) -> str:
    """*url* as a browser reads it: outer spaces and controls dropped, tabs and newlines removed, ``\\`` as ``/``."""
    return url.strip(_URL_NOISE).replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")


def shown(url: str) -> str:
    """*url* fit for one problem line: controls escaped, cut to :data:`SHOWN_URL_LENGTH` characters."""
    text = "".join(char if char.isprintable() else f"\\x{ord(char):02x}" for char in url.strip())
    return text if len(text) <= SHOWN_URL_LENGTH else text[:SHOWN_URL_LENGTH] + "…"


def url_scheme(url: str) -> str:
    """The lower-case scheme of a cleaned URL, ``"//"`` for a scheme-relative one, else ``""``."""
    if url.startswith("//"):
        return "//"
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


@lru_cache(maxsize=1 << 16)
def resolve_path(base: str, path: str) -> str | None:
    """The site file that the decoded *path* names from folder *base*; None when it leaves the site.

    >>> resolve_path("id/actor", "../../queries/"), resolve_path("id", "../../etc/passwd")
    ('queries/index.html', None)
    """
    joined = posixpath.normpath(posixpath.join(base, path))
    if joined == ".." or joined.startswith(("../", "/")):
        return None
    if path.endswith("/"):
        return "index.html" if joined == "." else joined + "/index.html"
    return joined


def reference_problem(site: Site, source: str, parsed: ParsedPage | None, reference: Reference) -> str | None:
    """The problem with one URL found in file *source* (an HTML page, with *parsed*, or a style sheet)."""
    url = clean_url(reference.url)
    scheme = url_scheme(url)
    if scheme in ("http", "https", "//"):
        return external_problem(reference)
    if scheme:
        return None if other_scheme_allowed(url, scheme, reference.kind) else f"unsafe URL scheme in {shown(reference.url)}"
    return internal_problem(site, source, parsed, url, reference)


def external_problem(reference: Reference) -> str | None:
    """The problem with a URL that leaves the site: only an ``<a>`` with the right rel may."""
    if reference.kind != LINK:
        return f"loads an external resource {shown(reference.url)}"
    if not EXTERNAL_REL <= reference.rel:
        return f'external link without rel="external noopener noreferrer": {shown(reference.url)}'
    return None


def other_scheme_allowed(url: str, scheme: str, kind: str) -> bool:
    """Whether a non-http(s) URL is harmless where it is used: ``data:`` in CSS or as an image."""
    return scheme == "data" and (kind == CSS or (kind == IMAGE and url.lower().startswith("data:image/")))


def internal_problem(site: Site, source: str, parsed: ParsedPage | None, url: str, reference: Reference) -> str | None:
    """The problem with a URL inside the site: a missing target, or a missing anchor in it."""
    address, _, fragment = url.partition("#")
    path = unquote(address.partition("?")[0])
    target = resolve_path(posixpath.dirname(source), path) if path else source
    if target not in site.files:
        return f"broken link to {shown(reference.url)}"
    if unquote(fragment) in TOP_FRAGMENTS or not target.endswith(".html"):
        return None
    anchors = parsed.anchors if target == source and parsed is not None else site.anchors(target)
    if fragment not in anchors and unquote(fragment) not in anchors:
        return f"missing anchor #{shown(fragment)} in {target}"
    return None


def json_ld_problems(blocks: list[str]) -> list[str]:
    """Problems with a page's JSON-LD blocks: none at all, or one that is not a JSON object or array."""
    problems = [] if blocks else ["no JSON-LD"]
    for block in blocks:
        try:
            value = json.loads(block)
        except (ValueError, RecursionError) as error:
            problems.append(f"JSON-LD does not parse ({error})")
            continue
        if not isinstance(value, (dict, list)):
            problems.append(f"JSON-LD does not parse (a {type(value).__name__}, not an object or array)")
    return problems


def alternate_problems(site: Site, page: str, parsed: ParsedPage) -> list[str]:
    """For an entity page: each media type of :data:`ENTITY_ALTERNATES` lacking an alternate that resolves."""
    if not _ENTITY_PAGE.fullmatch(page):
        return []
    problems = []
    for media_type in ENTITY_ALTERNATES:
        hrefs = [href for kind, href in parsed.alternates if kind == media_type]
        if not any(resolves(site, page, href) for href in hrefs):
            problems.append(f"no {media_type} alternate")
    return problems


def resolves(site: Site, page: str, href: str) -> bool:
    """Whether *href* on *page* is an internal URL naming an existing file."""
    url = clean_url(href)
    path = unquote(url.partition("#")[0].partition("?")[0])
    return not url_scheme(url) and bool(path) and resolve_path(posixpath.dirname(page), path) in site.files


def heading_problems(parsed: ParsedPage) -> list[str]:
    """Problems with a page's ``<title>`` (missing or blank) and its number of ``<h1>``."""
    problems = [] if parsed.title and parsed.title.strip() else ["no title"]
    if parsed.h1_count != 1:
        problems.append(f"{parsed.h1_count} h1 headings")
    return problems


def page_problems(site: Site, page: str) -> list[str]:
    """Every problem of one HTML page."""
    try:
        parsed = parse_page(site.read(page))
    except (OSError, UnicodeDecodeError, AssertionError) as error:
        return [f"cannot be read ({error})"]
    problems = [reference_problem(site, page, parsed, reference) for reference in parsed.references]
    problems += json_ld_problems(parsed.json_ld) + alternate_problems(site, page, parsed) + heading_problems(parsed)
    return [problem for problem in problems if problem]


def style_sheet_problems(site: Site, sheet: str) -> list[str]:
    """Every problem of one ``.css`` file (its URLs resolve from its own folder)."""
    try:
        references = css_references(site.read(sheet))
    except (OSError, UnicodeDecodeError) as error:
        return [f"cannot be read ({error})"]
    problems = (reference_problem(site, sheet, None, reference) for reference in references)
    return [problem for problem in problems if problem]


def check_site(folder: str, *, progress_bar=None) -> list[str]:
    """Check the site written in *folder*; return its problems as ``<file>: <message>`` lines.

    Parameters
    ----------
    folder : str
        The folder that ``thbkg site -o`` wrote.
    progress_bar : optional
        An object with ``update(steps, text)``, such as the bar yielded by
        :func:`thbkg.graph.progress.progress`; it is advanced every :data:`PROGRESS_STEP` pages and
        at the end, by the number of pages checked, with the last page's path as text. When it has a
        ``length`` of None (``progress(None, "checking site")``), that is set to the number of pages.

    Returns
    -------
    list of str
        One line per (file, message), sorted by file then message; empty when the site is fine.

    Raises
    ------
    ThbkgError
        When *folder* is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> site = tempfile.mkdtemp()
    >>> with open(os.path.join(site, "index.html"), "w", encoding="utf-8") as out:
    ...     _ = out.write('<title>T</title><h1>T</h1><script src="https://cdn.example/x.js"></script>')
    >>> for line in check_site(site):
    ...     print(line)
    index.html: loads an external resource https://cdn.example/x.js
    index.html: no JSON-LD
    """
    if not os.path.isdir(folder):
        raise ThbkgError(f"{folder} is not a folder")
    site = Site(folder)
    problems: set[tuple[str, str]] = set()
    for sheet in sorted(path for path in site.files if path.endswith(".css")):
        problems.update((sheet, message) for message in style_sheet_problems(site, sheet))
    pages = sorted(path for path in site.files if path.endswith(".html") and not path.startswith(DOWNLOADS))
    if progress_bar is not None and getattr(progress_bar, "length", 0) is None:
        progress_bar.length = len(pages)
    reported = 0
    for number, page in enumerate(pages, start=1):
        problems.update((page, message) for message in page_problems(site, page))
        if progress_bar is not None and (number % PROGRESS_STEP == 0 or number == len(pages)):
            progress_bar.update(number - reported, page)
            reported = number
    return [f"{page}: {message}" for page, message in sorted(problems)]


def summarise(problems: list[str], limit: int = 50) -> str:
    """The first *limit* problem lines, then ``… and N more`` if there are more.

    >>> summarise(["a", "b", "c"], limit=2)
    'a\\nb\\n… and 1 more'
    """
    lines = list(problems[:limit])
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit} more")
    return "\n".join(lines)
