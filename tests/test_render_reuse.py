"""What the renderer reuses (listing items, figure cells, the JSON writer) gives the very bytes a
fresh rendering gives, on every page and at every folder depth."""
import json
import sys

import pytest
from markupsafe import Markup

from digestgen.analysis.analyse import analyse
from digestgen.config import load_config
from digestgen.load.articles import load_articles
from digestgen.render.fragments import links_only
from digestgen.render.jsontext import dumps_indent1_chunks
from digestgen.render.pages import make_environment, render_page
from digestgen.site.model import build_site
from digestgen.site.urls import relative

from conftest import ROOT, write

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import write_corpus


def each_anew(macro, items, url) -> Markup:
    """``each_once`` without reuse: every item rendered on every page, as a plain loop would."""
    return Markup("".join(str(macro(item, url)) for item in items))


@pytest.fixture(scope="module")
def site_and_config(tmp_path_factory):
    """120 generated articles as a site model."""
    folder = write_corpus(120, tmp_path_factory.mktemp("corpus"))
    config = load_config(ROOT / "digest.yaml")
    loaded = load_articles(folder, config.theme_names)
    analysed, _ = analyse(loaded.articles, config, jobs=1)
    return build_site(analysed, config), config


def test_listing_items_reused_across_pages_equal_items_rendered_on_each_page(site_and_config):
    site, config = site_and_config
    listings = [p for p in site.pages if p.template in ("listing.html", "home.html")]
    depths = {p.path.count("/") for p in listings}
    assert {0, 2, 3, 4} <= depths  # home, province/theme/tag, city, county pages
    reused, anew = make_environment(config.templates_dir), make_environment(config.templates_dir)
    anew.globals["each_once"] = each_anew
    for page in listings:
        assert render_page(page, site, config, reused).content == render_page(page, site, config, anew).content, page.path
    shown = sum(len(p.context.entries) for p in listings)
    assert shown > 3 * len(site.entries)  # each article is listed on several pages, at several depths


FIGURE_CELL_MACROS = """
{% macro change(f) %}{% if f.direction == "down" %}下降{% elif f.direction == "up" %}上升{% endif %}{% if f.direction and f.change %} {{ f.change }}{% endif %}{% endmacro %}
{% macro figure_cell(f) %}{% if f.value is none %}{{ change(f) }}{% elif figure_value(f) %}{{ f|figure }}{% if f.direction %},{{ change(f) }}{% endif %}{% else %}{{ change(f) }}{% endif %}{% endmacro %}
"""
"""The figure cell as two template macros, as it was written before it became a Python global."""


def test_article_figure_cells_equal_the_template_macros(site_and_config):
    site, config = site_and_config
    articles = [p for p in site.pages if p.template == "article.html"]
    figures = [f for p in articles for f in p.context.entry.item.key_figures]
    assert any(f.value is None for f in figures) and any(f.direction and f.value is not None for f in figures)
    python, macros = make_environment(config.templates_dir), make_environment(config.templates_dir)
    macros.globals["figure_cell"] = macros.from_string(FIGURE_CELL_MACROS).module.figure_cell
    for page in articles:
        assert render_page(page, site, config, python).content == render_page(page, site, config, macros).content, page.path


def test_articles_json_is_the_text_json_dumps_writes(shipped_site):
    text = (shipped_site / "data" / "articles.json").read_text("utf-8")
    records = json.loads(text)
    assert records and all(r["key_figures"] is not None for r in records)
    assert text == json.dumps(records, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("value", [
    [], {}, [[]], {"a": {}}, {"a": [], "b": [{}]}, [1.5, 1e20, -0.0, 3, 2**70, True, False, None],
    ["引号\"与\\反斜杠", "换行\n制表\t", "\u2028\u2029", "\x00\x1f", "é😀"], ({"k": (1, 2)},),
    [float("nan"), float("inf")], {1: "non-string key"}, {"x": Markup("<b>")}, [{"a": [1, float("nan")]}, {1: 2}],
])
def test_the_json_writer_matches_json_dumps_on_edge_values(value):
    for items in ([value], [value, value], value if isinstance(value, list) else [value]):
        assert b"".join(dumps_indent1_chunks(iter(items))) == (json.dumps(items, ensure_ascii=False, indent=1)
                                                               + "\n").encode()


class Item:
    def __init__(self, path: str, region: str, title: str) -> None:
        self.path, self.region, self.title = path, region, title


@pytest.mark.parametrize("macro", [
    # writes its links out: rendered once, each page's links filled in
    '<a href="{{ url(e.path) }}">{{ e.title }}</a> <a href="{{ url(e.region) }}">地区</a>',
    # does more with a link than write it: one output per set of links
    '<a href="{{ url(e.path) }}">{{ e.title }}</a> {{ url(e.region)|upper }}',
    '{% if url(e.region).startswith("../../") %}深{% else %}浅{% endif %} <a href="{{ url(e.path) }}">{{ e.title }}</a>',
    '{% set x %}<a href="{{ url(e.path) }}">{{ e.title }}</a>{% endset %}{{ x|upper }}',
])
def test_an_item_shows_the_links_of_the_page_it_is_on(tmp_path, macro):
    # Pages in folders of the same depth link to the article alike but to the region differently:
    # what one page rendered must not be shown on the other.
    write(tmp_path / "_m.html", "{% macro item(e, url) %}" + macro + "{% endmacro %}")
    write(tmp_path / "page.html", '{% from "_m.html" import item %}{{ each_once(item, entries, url) }}|')
    items = [Item("articles/a.html", "regions/hunan/index.html", "标题 <1> & \"2\""),
             Item("articles/b&c.html", "regions/hunan/hengyang/index.html", "二")]
    reused, anew = make_environment(tmp_path), make_environment(tmp_path)
    anew.globals["each_once"] = each_anew
    for page in ["regions/hunan/index.html", "tags/x/index.html", "index.html", "regions/hunan/hengyang/index.html",
                 "tags/x/index.html", "regions/hunan/index.html"]:
        def url(target: str, page=page) -> str:
            return relative(page, target)
        got = reused.get_template("page.html").render(entries=items, url=url)
        assert got == anew.get_template("page.html").render(entries=items, url=url), page
    assert 'href="../../articles/b&amp;c.html"' in got.lower()


def test_only_macros_that_write_their_links_out_are_filled_in(tmp_path):
    write(tmp_path / "_m.html", """
        {% macro plain(e, url) %}<a href="{{ url(e.path) }}">{{ e.title }}</a>{% endmacro %}
        {% macro joined(e, url) %}<a href="{{ url(e.path) ~ '#top' }}">{{ e.title }}</a>{% endmacro %}
        {% macro passed(e, url) %}{{ other(e, url) }}{% endmacro %}
        {% macro rebound(e, url) %}{% set url = e.path %}{{ url }}{% endmacro %}
        {% macro raw(e, url) %}{% autoescape false %}{{ url(e.path) }}{% endautoescape %}{% endmacro %}
        {% macro captured(e, url) %}{% set x %}{{ url(e.path) }}{% endset %}{{ x|upper }}{% endmacro %}
        {% macro filtered(e, url) %}{% filter upper %}{{ url(e.path) }}{% endfilter %}{% endmacro %}
        {% macro other(e, url) %}{{ url(e.path) }}{% endmacro %}
        """)
    env = make_environment(tmp_path)
    module = env.get_template("_m.html").module
    assert links_only(env, module.plain)
    assert links_only(env, module.other)
    for name in ("joined", "passed", "rebound", "raw", "captured", "filtered"):
        assert not links_only(env, getattr(module, name)), name


def test_a_keyer_that_lets_go_of_what_it_reduced_makes_the_same_keys(site_and_config):
    """A long build lets the keyer forget the values it reduced every so many pages (to bound its
    memory); every page's key is the one a keyer that never forgets makes."""
    from digestgen.render.keys import Keyer

    site, config = site_and_config
    env = make_environment(config.templates_dir)
    keeping, forgetting = Keyer(env, "salt", (1,)), Keyer(env, "salt", (1,))
    kept = [keeping.page_key(p) for p in site.pages]
    forgot = []
    for page in site.pages:
        forgot.append(forgetting.page_key(page))
        forgetting.forget()
    assert len(set(kept)) > len(site.pages) / 2
    assert forgot == kept
