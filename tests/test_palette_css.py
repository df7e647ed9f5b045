"""The palette stylesheet the site ships: Material's, less the rule that restyles every
page twice as it starts (aiguide/palette_css.py says why)."""

from __future__ import annotations

from pathlib import Path

import material
import pytest

from aiguide.errors import GuideError
from aiguide.palette_css import SWITCHING_RULE, without_switching_rule

MATERIAL_SHEETS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"


def test_the_rule_is_taken_out_and_nothing_else():
    css = "a{color:red}" + SWITCHING_RULE + "b{color:blue}"
    assert without_switching_rule(css, "palette.css") == "a{color:red}b{color:blue}"


@pytest.mark.parametrize("css", ["a{color:red}", SWITCHING_RULE * 2,
                                 SWITCHING_RULE.replace("0s", "0ms")])
def test_a_stylesheet_without_exactly_one_such_rule_fails_with_where_and_what_to_do(css):
    with pytest.raises(GuideError) as caught:
        without_switching_rule(css, "site/assets/stylesheets/palette.x.min.css")
    message = str(caught.value)
    assert message.startswith("site/assets/stylesheets/palette.x.min.css")
    assert "aiguide/palette_css.py" in message


def test_the_built_site_ships_materials_palette_less_that_rule(built_site):
    built = sorted((built_site / "assets" / "stylesheets").glob("palette.*.min.css"))
    assert len(built) == 1, built
    original = (MATERIAL_SHEETS / built[0].name).read_text(encoding="utf-8")
    assert SWITCHING_RULE in original, "Material's own stylesheet has the rule"
    assert built[0].read_text(encoding="utf-8") == original.replace(SWITCHING_RULE, "")
    assert "data-md-color-switching" not in built[0].read_text(encoding="utf-8")
