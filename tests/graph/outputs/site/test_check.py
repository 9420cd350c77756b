"""check_site: one small site per rule, written by hand, with the expected problem lines."""

from __future__ import annotations

import pytest

from thbkg.graph.errors import ThbkgError
from thbkg.graph.outputs.site.check import check_site, summarise

JSON_LD = '<script type="application/ld+json">{"@id": "x"}</script>'
ALTERNATES = ('<link rel="alternate" type="text/turtle" href="x.ttl">'
              '<link rel="alternate" type="application/ld+json" href="x.jsonld">')
OUT = "https://example.org/a"


def page(body="", *, head=JSON_LD, title="T", h1="<h1>T</h1>"):
    """A minimal valid page around *body*."""
    return f"<!doctype html><html><head><title>{title}</title>{head}</head><body>{h1}{body}</body></html>"


def write(folder, files):
    for path, text in files.items():
        target = folder.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return str(folder)


def check(tmp_path, files, **options):
    return check_site(write(tmp_path, files), **options)


def test_good_two_page_site_has_no_problems(tmp_path):
    files = {
        "index.html": page('<link rel="stylesheet" href="static/site.css"><a href="actors.html#list">actors</a>'
                           '<img src="static/logo.png" alt=""><a href="#top">top</a>'
                           f'<a href="{OUT}" rel="external noopener noreferrer">out</a>'),
        "actors.html": page('<ul id="list"><li><a href="index.html">home</a></li></ul>'
                            '<a href="./#top">home</a><a name="old">x</a><a href="#old">old</a>'),
        "static/site.css": "body { background: url(logo.png) } li { background: url('data:image/png;base64,AA==') }",
        "static/logo.png": "png",
        ".thbkg-output": "marker",
    }
    assert check(tmp_path, files) == []


def test_broken_relative_link(tmp_path):
    files = {"index.html": page('<a href="queries/missing.html">q</a>')}
    assert check(tmp_path, files) == ["index.html: broken link to queries/missing.html"]


def test_link_escaping_the_root_is_broken_even_if_the_file_exists(tmp_path):
    site = tmp_path / "site"
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root")
    files = {"id/actor/a.html": page('<a href="../../../etc/passwd">p</a><a href="../../etc/passwd">p</a>',
                                     head=JSON_LD + ALTERNATES),
             "id/actor/x.ttl": "", "id/actor/x.jsonld": "{}"}
    assert check(site, files) == ["id/actor/a.html: broken link to ../../../etc/passwd",
                                  "id/actor/a.html: broken link to ../../etc/passwd"]


def test_missing_anchor_in_another_page_and_in_the_same_page(tmp_path):
    files = {"index.html": page('<a href="data.html#files">d</a><a href="#nowhere">n</a><a href="data.html#dl">ok</a>'),
             "data.html": page('<section id="dl"></section>')}
    assert check(tmp_path, files) == ["index.html: missing anchor #files in data.html",
                                      "index.html: missing anchor #nowhere in index.html"]


def test_external_script_is_an_external_resource(tmp_path):
    files = {"index.html": page('<script src="https://cdn.example.com/d3.js"></script>')}
    assert check(tmp_path, files) == ["index.html: loads an external resource https://cdn.example.com/d3.js"]


def test_scheme_relative_stylesheet_is_an_external_resource(tmp_path):
    files = {"index.html": page('<link rel="stylesheet" href="//cdn.example.com/x.css">')}
    assert check(tmp_path, files) == ["index.html: loads an external resource //cdn.example.com/x.css"]


@pytest.mark.parametrize("rel", ["", ' rel="noopener noreferrer"', ' rel="external"'])
def test_external_link_without_the_full_rel(tmp_path, rel):
    files = {"index.html": page(f'<a href="{OUT}"{rel}>out</a>')}
    assert check(tmp_path, files) == [f'index.html: external link without rel="external noopener noreferrer": {OUT}']


def test_external_link_with_the_full_rel_in_any_order_and_case_passes(tmp_path):
    files = {"index.html": page(f'<a href="{OUT}" rel="NoReferrer external noopener">out</a>')}
    assert check(tmp_path, files) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html,x", "mailto:a@example.org"])
def test_other_schemes_in_a_link_are_unsafe(tmp_path, url):
    files = {"index.html": page(f'<a href="{url}">x</a>')}
    shown = url.strip().replace("\t", "\\x09")
    assert check(tmp_path, files) == [f"index.html: unsafe URL scheme in {shown}"]


def test_data_image_is_allowed_only_as_an_image(tmp_path):
    files = {"index.html": page('<img src="data:image/png;base64,AA==" alt=""><iframe src="data:image/png,x"></iframe>')}
    assert check(tmp_path, files) == ["index.html: unsafe URL scheme in data:image/png,x"]


def test_css_file_loading_a_web_font_is_an_external_resource(tmp_path):
    files = {"index.html": page('<link rel="stylesheet" href="static/site.css">'),
             "static/site.css": "@font-face { src: url(https://fonts.example.com/f.woff2) }"}
    assert check(tmp_path, files) == ["static/site.css: loads an external resource https://fonts.example.com/f.woff2"]


def test_css_imports_and_style_attributes_are_checked(tmp_path):
    files = {"index.html": page('<style>@import "missing.css";</style><p style="background: url(\'//x.org/i.png\')">'),
             "static/site.css": '@import url("../gone.css"); /* url(http://comment.example) */'}
    assert check(tmp_path, files) == ["index.html: broken link to missing.css",
                                      "index.html: loads an external resource //x.org/i.png",
                                      "static/site.css: broken link to ../gone.css"]


def test_srcset_form_action_and_meta_refresh_are_checked(tmp_path):
    files = {"index.html": page('<img src="a.png" srcset="a.png 1x, b.png 2x" alt="">'
                                '<form action="https://forms.example.com/"></form>'
                                '<meta http-equiv="refresh" content="0; url=gone.html">'),
             "a.png": "png"}
    assert check(tmp_path, files) == ["index.html: broken link to b.png",
                                      "index.html: broken link to gone.html",
                                      "index.html: loads an external resource https://forms.example.com/"]


def test_page_without_json_ld(tmp_path):
    files = {"index.html": page(head='<script type="application/json">{}</script>')}
    assert check(tmp_path, files) == ["index.html: no JSON-LD"]


def test_json_ld_that_does_not_parse(tmp_path):
    files = {"index.html": page(head='<script type="application/ld+json">{"@id": }</script>'),
             "data.html": page(head='<script type="application/ld+json">"just a string"</script>')}
    assert check(tmp_path, files) == [
        "data.html: JSON-LD does not parse (a str, not an object or array)",
        "index.html: JSON-LD does not parse (Expecting value: line 1 column 9 (char 8))",
    ]


def test_entity_page_without_turtle_alternate(tmp_path):
    head = JSON_LD + '<link rel="alternate" type="application/ld+json" href="x.jsonld">'
    files = {"id/actor/x.html": page(head=head), "id/actor/x.jsonld": "{}", "id/actor/x.ttl": ""}
    assert check(tmp_path, files) == ["id/actor/x.html: no text/turtle alternate"]


def test_entity_page_alternate_pointing_at_a_missing_file(tmp_path):
    files = {"id/actor/x.html": page(head=JSON_LD + ALTERNATES), "id/actor/x.jsonld": "{}"}
    assert check(tmp_path, files) == ["id/actor/x.html: broken link to x.ttl",
                                      "id/actor/x.html: no text/turtle alternate"]


def test_paged_continuation_needs_no_alternates(tmp_path):
    files = {"id/actor/x/links-2.html": page('<a href="../x.html">back</a>'),
             "id/actor/x.html": page(head=JSON_LD + ALTERNATES), "id/actor/x.ttl": "", "id/actor/x.jsonld": "{}"}
    assert check(tmp_path, files) == []


def test_title_and_h1_count(tmp_path):
    files = {"index.html": page(h1="<h1>A</h1><h1>B</h1>"),
             "data.html": page(title="  ", h1="<svg><title>tip</title></svg>")}
    assert check(tmp_path, files) == ["data.html: 0 h1 headings", "data.html: no title", "index.html: 2 h1 headings"]


def test_url_encoded_path_names_a_file_with_a_space(tmp_path):
    files = {"index.html": page('<a href="a%20b.html">ab</a><a href="a%20c.html">ac</a>'), "a b.html": page()}
    assert check(tmp_path, files) == ["index.html: broken link to a%20c.html"]


def test_trailing_slash_names_the_folder_index(tmp_path):
    files = {"index.html": page('<a href="dir/">d</a><a href="empty/">e</a><a href="dir">no slash</a>'),
             "dir/index.html": page('<a href="../">up</a>'), "empty/other.html": page()}
    assert check(tmp_path, files) == ["index.html: broken link to dir", "index.html: broken link to empty/"]


def test_query_is_dropped_and_each_problem_is_listed_once(tmp_path):
    files = {"index.html": page('<a href="data.html?x=1">d</a><a href="gone.html">1</a><a href="gone.html">2</a>'),
             "data.html": page()}
    assert check(tmp_path, files) == ["index.html: broken link to gone.html"]


def test_progress_bar_is_advanced_by_the_number_of_pages(tmp_path):
    class Bar:
        length = None

        def __init__(self):
            self.steps = []

        def update(self, steps, text=None):
            self.steps.append((steps, text))

    bar = Bar()
    check(tmp_path, {"a.html": page(), "b.html": page(), "c.css": ""}, progress_bar=bar)
    assert (bar.length, bar.steps) == (2, [(2, "b.html")])


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(ThbkgError, match="not a folder"):
        check_site(str(tmp_path / "nowhere"))


def test_summarise_cuts_long_lists():
    problems = [f"p{i}.html: no title" for i in range(5)]
    assert summarise(problems, limit=2) == "p0.html: no title\np1.html: no title\n… and 3 more"
    assert summarise(problems[:2], limit=2) == "p0.html: no title\np1.html: no title"
