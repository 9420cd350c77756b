"""``thbkg site``: the graph as a static, linked, offline website (issue 13)."""
