"""The notebook stylesheet purge (aiguide/notebook_css.py): drops only what cannot match."""

from __future__ import annotations

from aiguide.notebook_css import classes_in, purge_css, slim_notebook_styles


def test_rules_for_classes_the_page_lacks_are_dropped_and_the_rest_kept():
    css = ".a{color:red}.b{color:blue}p{margin:0}.a .b{top:0}"
    assert purge_css(css, {"a"}) == ".a{color:red}p{margin:0}"
    assert purge_css(css, {"a", "b"}) == css


def test_only_the_unusable_selectors_of_a_list_go():
    assert purge_css(".a,.b,em{x:1}", {"b"}) == ".b,em{x:1}"


def test_commas_inside_functions_and_attributes_do_not_split_a_selector():
    """Splitting `:is(.a, .b)` at its comma broke the stylesheet for the browser."""
    css = '.w :is(.a:hover,.b) .c{x:1}[data-x="1,2"] .c{y:2}'
    assert purge_css(css, {"w", "c"}) == css


def test_negated_and_grouped_classes_are_not_required():
    assert purge_css(".a:not(.gone){x:1}", {"a"}) == ".a:not(.gone){x:1}"


def test_media_blocks_are_purged_inside_and_dropped_when_empty():
    css = "@media (max-width:10px){.a{x:1}.b{y:2}}@media print{.b{z:3}}"
    assert purge_css(css, {"a"}) == "@media (max-width:10px){.a{x:1}}"


def test_other_at_rules_charset_and_braces_in_strings_survive():
    css = '@charset "UTF-8";@font-face{font-family:"x{y}"}.a::after{content:"}"}.b{x:1}'
    assert purge_css(css, {"a"}) == '@charset "UTF-8";@font-face{font-family:"x{y}"}.a::after{content:"}"}'


def test_small_style_blocks_and_the_rest_of_the_page_are_untouched():
    big = ".unused{x:1}" * 10_000 + ".used{y:2}"
    page = f'<style type="text/css">.tiny{{x:1}}</style><style type="text/css">{big}</style><p class="used">'
    assert slim_notebook_styles(page) == (
        '<style type="text/css">.tiny{x:1}</style><style type="text/css">.used{y:2}</style><p class="used">')
    assert classes_in('<div class="a  b"><span class="c">') == {"a", "b", "c"}


def test_the_parsed_stylesheet_is_cached_on_disk_and_reads_back_the_same(tmp_path):
    css = '@charset "UTF-8";@media print{.a,.b{x:1}}.a:not(.c){y:2}@font-face{font-family:f}'
    first = purge_css(css, {"a"}, tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == 1
    from aiguide import notebook_css

    notebook_css._prepare.cache_clear()  # force the read from disk
    assert purge_css(css, {"a"}, tmp_path) == first == (
        '@charset "UTF-8";@media print{.a{x:1}}.a:not(.c){y:2}@font-face{font-family:f}')
