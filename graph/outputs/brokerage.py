"""Text output of ``thbkg brokers`` (:func:`~thbkg.graph.analytics.brokers.group_brokers`): table, csv, json, md.

Every format states its basis: the two groups (definition, size, members in the graph, absent), the
filters and the normalisation of the score.

* ``table``: the basis, an aligned table of the brokers, then each broker's paths hop by hop with the
  link records behind every hop (type, dates, status, confidence, date basis, sources with their
  grades, note), as ``thbkg path`` shows them;
* ``md``: the same in GitHub-flavoured Markdown, every cell escaped, each broker's links in the table
  of ``thbkg path --format md`` (:func:`~thbkg.graph.outputs.analytic.path_rows`);
* ``csv``: one row per broker; the paths, link ids and sources joined in one cell each; the basis (the
  groups, their sizes, the filters) repeated in columns of every row;
* ``json``: ``{"basis": ..., "brokers": [...]}``, every row whole.
"""

from __future__ import annotations

from thbkg.graph.outputs.analytic import (
    LABEL_WIDTH,
    PATH_COLUMNS,
    _check_format,
    _hop_heading,
    _link_lines,
    json_text,
    path_rows,
    text_table,
)
from thbkg.graph.outputs.text import (
    csv_text,
    format_number,
    format_share,
    markdown_table,
    md_cell,
    shorten,
    terminal_safe,
)

#: The columns of the brokers table (table and md).
TABLE_COLUMNS = ("rank", "id", "label", "type", "score", "share", "in group", "representative", "gatekeeper",
                 "liaison")
#: The columns of the csv output.
CSV_COLUMNS = ("rank", "id", "label", "type", "score", "share", "in_group", "member_of", "representative",
               "gatekeeper", "liaison", "roles_total", "paths", "links", "sources", "group_a", "group_a_size",
               "group_a_in_graph", "group_b", "group_b_size", "group_b_in_graph", "filters", "frameworks")


def basis_lines(basis: dict) -> list[str]:
    """The basis of a result as lines of text (unescaped).

    >>> basis = {"groups": {k: {"name": n, "label": n.upper(), "definition": "d", "size": 2, "in_graph": 2,
    ...                         "used": 2, "absent": []} for k, n in (("A", "a"), ("B", "b"))},
    ...          "shared_members": [], "filters": "none", "frameworks": "shared", "graph": {"actors": 5, "ties": 4},
    ...          "pairs": 4, "connected_pairs": 4, "adjacent_pairs": 0, "brokers": 1, "top": 15,
    ...          "normalisation": "n", "roles": "r", "not_in_force_left_out": 0, "undated_left_out": 0,
    ...          "crossing_two_paths": 3}
    >>> print("\\n".join(basis_lines(basis)))
    thbkg brokers between A = a (A; 2 members, 2 in the graph) and B = b (B; 2 members, 2 in the graph)
    A: d
    B: d
    filters: none; frameworks: shared; actor graph: 5 actors, 4 ties
    pairs (a in A, b in B): 4; connected: 4; tied directly (no broker between them): 0
    brokers (score above 0): 1; shown: top 15
    normalisation: n
    roles: r
    """
    groups = basis["groups"]

    def side(key):
        g = groups[key]
        members = f"{g['size']} member{'s' if g['size'] != 1 else ''}"
        return f"{key} = {g['name']} ({g['label']}; {members}, {g['in_graph']} in the graph)"

    lines = [f"thbkg brokers between {side('A')} and {side('B')}",
             f"A: {groups['A']['definition']}", f"B: {groups['B']['definition']}"]
    for key in ("A", "B"):
        if groups[key]["absent"]:
            lines.append(f"{key}: absent from the actor graph under the filters: {', '.join(groups[key]['absent'])}")
    if basis["shared_members"]:
        lines.append(f"in both groups (left out of both, may broker): {', '.join(basis['shared_members'])}")
    extra = []
    if basis.get("not_in_force_left_out"):
        extra.append(f"{basis['not_in_force_left_out']} links not in force left out")
    if basis.get("undated_left_out"):
        extra.append(f"{basis['undated_left_out']} undated links left out by the time filter")
    lines.append(f"filters: {basis['filters']}; frameworks: {basis['frameworks']}; actor graph: "
                 f"{basis['graph']['actors']} actors, {basis['graph']['ties']} ties"
                 + "".join(f"; {e}" for e in extra))
    lines.append(f"pairs (a in A, b in B): {basis['pairs']}; connected: {basis['connected_pairs']}; "
                 f"tied directly (no broker between them): {basis['adjacent_pairs']}")
    lines.append(f"brokers (score above 0): {basis['brokers']}; shown: {'top ' + str(basis['top']) if basis['top'] else 'all'}"
                 + (f"; score computed by {basis['engine']}" if basis.get("engine") else ""))
    lines.append(f"normalisation: {basis['normalisation']}")
    lines.append(f"roles: {basis['roles']}")
    if not basis.get("crossing_two_paths"):
        lines.append("roles: no open two-path of the directed links runs from one group to the other (links point "
                     "from a partner to the agency, organisation or framework it joins), so every role count is 0")
    return lines


def _no_broker_line(basis: dict) -> str:
    if not basis["connected_pairs"]:
        return "No broker: no member of A is connected to a member of B in the actor graph."
    return ("No broker: every connected pair is tied directly (a link or a shared framework), so no actor lies "
            "between them.")


def _table_row(row: dict, md: bool) -> list:
    roles = row["roles"]
    return [row["rank"], row["id"], row["label"] if md else shorten(row["label"], LABEL_WIDTH), row["type"] or "",
            format_number(row["score"]), format_share(row["share"], 1),
            row["member_of"] or "" if row["in_group"] else "", roles["representative"], roles["gatekeeper"],
            roles["liaison"]]


def _path_title(path: dict) -> str:
    return " -> ".join(f"{label} ({actor})" for actor, label in zip(path["actors"], path["labels"], strict=True))


def csv_rows(rows, basis: dict) -> list[list]:
    """One csv row per broker (columns :data:`CSV_COLUMNS`)."""
    groups = basis["groups"]
    out = []
    for row in rows:
        links, sources = [], set()
        for path in row["paths"]:
            for hop in path["hops"]:
                for link in [*hop["links"], *(l for f in hop["frameworks"] for l in f["links"])]:
                    if link["id"] not in links:
                        links.append(link["id"])
                    sources.update(link["sources"])
        roles = row["roles"]
        out.append([row["rank"], row["id"], row["label"], row["type"], repr(row["score"]), repr(row["share"]),
                    row["in_group"], row["member_of"], roles["representative"], roles["gatekeeper"], roles["liaison"],
                    roles["total"], " | ".join(" > ".join(p["actors"]) for p in row["paths"]), ";".join(links),
                    ";".join(sorted(sources)), groups["A"]["name"], groups["A"]["size"], groups["A"]["in_graph"],
                    groups["B"]["name"], groups["B"]["size"], groups["B"]["in_graph"], basis["filters"],
                    basis["frameworks"]])
    return out


def render_brokers(rows, basis: dict, fmt: str = "table") -> str:
    """The result of :func:`~thbkg.graph.analytics.brokers.group_brokers` as text in *fmt*.

    Parameters
    ----------
    rows : list of dict
        The brokers.
    basis : dict
        The basis returned with them.
    fmt : {"table", "md", "csv", "json"}

    Examples
    --------
    >>> from thbkg.graph.analytics.brokers import group_brokers
    >>> from thbkg.graph.network.projections import Network
    >>> actors = {i: {"id": i, "label": i.upper(), "type": "country"} for i in ("a", "b", "p")}
    >>> link = dict(type="working_arrangement", family="agreement", role=None, start="2015", end=None,
    ...             start_day=None, end_day=None, status="active", confidence="high", date_confidence=None,
    ...             sources=("s1",), note=None, label=None)
    >>> net = Network(actors=actors, all_actors=actors,
    ...               links=[dict(link, id="l1", subject="a", object="p"), dict(link, id="l2", subject="b", object="p")])
    >>> print(render_brokers(*group_brokers(net, "a", "b"), "csv"), end="")
    rank,id,label,type,score,share,in_group,member_of,representative,gatekeeper,liaison,roles_total,paths,links,sources,group_a,group_a_size,group_a_in_graph,group_b,group_b_size,group_b_in_graph,filters,frameworks
    1,p,P,country,1.0,1.0,False,,0,0,0,0,a > p > b,l1;l2,s1,a,1,1,b,1,1,none,shared
    """
    _check_format(fmt)
    if fmt == "json":
        return json_text({"basis": basis, "brokers": list(rows)})
    if fmt == "csv":
        return csv_text(CSV_COLUMNS, csv_rows(rows, basis))
    md = fmt == "md"
    if md:
        out = [f"- {md_cell(line)}" for line in basis_lines(basis)]
    else:
        out = [terminal_safe(line) for line in basis_lines(basis)]
    out.append("")
    if not rows:
        out.append(md_cell(_no_broker_line(basis)) if md else _no_broker_line(basis))
        return "\n".join(out) + "\n"
    table = [_table_row(row, md) for row in rows]
    out.append(markdown_table(TABLE_COLUMNS, table) if md else text_table(TABLE_COLUMNS, table))
    for row in rows:
        if row["paths"]:
            out += _paths_md(row) if md else _paths_text(row)
    return "\n".join(out) + "\n"


def _paths_text(row: dict) -> list[str]:
    """A broker's paths hop by hop, each link with its evidence (as ``thbkg path`` shows them)."""
    lines = ["", f"Paths through {row['label']} ({row['id']})"]
    for number, path in enumerate(row["paths"], start=1):
        lines.append(f"  {number}. {_path_title(path)}")
        for hop in path["hops"]:
            lines.append(f"      {hop['from']} - {hop['to']}: {_hop_heading(hop)}")
            for link in hop["links"]:
                lines += _link_lines(link, "        ")
            for framework in hop["frameworks"]:
                lines.append(f"        {framework['label']} ({framework['id']}):")
                for link in framework["links"]:
                    lines += _link_lines(link, "          ")
    return [terminal_safe(line) for line in lines]


def _paths_md(row: dict) -> list[str]:
    """A broker's paths in Markdown: each path and its hops, then the table of ``thbkg path --format md``."""
    title = f"Paths through {row['label']} ({row['id']})"
    lines = ["", f"### {md_cell(title)}", ""]
    for number, path in enumerate(row["paths"], start=1):
        lines.append(f"{number}. {md_cell(_path_title(path))}")
        lines += [f"    - {md_cell(hop['from'])} – {md_cell(hop['to'])}: {md_cell(_hop_heading(hop))}"
                  for hop in path["hops"]]
    lines += ["", markdown_table(PATH_COLUMNS, path_rows(row["paths"]))]
    return lines
