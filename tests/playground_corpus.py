"""Texts on which the browser's tokenizers must give exactly the Python tokenizers' ids.

The guide's own headings and code comments, every ``tokens`` figure's text, and hand cases
chosen where tokenizers are easy to get wrong: Unicode categories, whitespace before digits,
special-token look-alikes, markup, and characters whose whitespace class differs between
JavaScript and Rust regular expressions (U+0085, U+FEFF).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HAND = [
    "Über 1234567 naïve 🤖 <b>hi</b>",
    "👍🏽 👩🏿‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷",
    "机器学习是人工智能的一个分支。", "日本語のテキスト、カタカナ", "한국어 문장입니다",
    "Η τεχνητή νοημοσύνη είναι ΣΥΝΑΡΠΑΣΤΙΚΗ", "Привет, мир! Ёлка",
    "cafe\u0301 nai\u0308ve Ångström e\u0301\u0301", "ﬁnancial ﬀ Ⅻ ½ ²³",
    "Intro\n\n1. First", "Step  1", "a\n\n\n2", "x\t\t3", "  42", "\n\n\n", "   ", "",
    "1234567890123", "3.14159 2,000,000 -42 1e10 0x1F", "١٢٣ ४५६ ７８９",
    "a" * 300, "supercalifragilisticexpialidocious" * 4, "ab" * 150 + "!",
    "<|im_start|>user\nhi<|im_end|>", "<|endoftext|> <|fim_prefix|>", "<|im_start", "|im_end|>",
    "[CLS] [SEP] [MASK] [UNK] [PAD]", "<s> </s> <unk>",
    "</script><img src=x onerror=alert(1)>", "<b>bold</b> &amp; &lt;tag&gt; \"quotes\" 'single'",
    "it's I'M we'll they'VE you'Re he'D it'ſ", "don't won't can't",
    "line\r\nwindows\rold mac", "tab\tsep\tvalues", "nbsp\u00a0here", "nel\u0085next",
    "bom\ufeffinside", "zero\u200bwidth", "ideographic\u3000space", "emsp\u2003x",
    "x\u2028y\u2029z", "trailing spaces   ", "   leading", "mixed \t \n 7",
    "def f(x):\n    return x ** 2  # square\n", "SELECT * FROM t WHERE id = 1;",
    "https://example.org/a?b=c&d=e#f", "user@example.com", "C:\\Users\\name\\file.txt",
    "$$\\sum_{i=1}^{n} x_i$$", "🎉!", "🤖🤖🤖", "\u0000nul \u0007bell \u001bescape",
    "ÀÉÎÕÜ àéîõü ÇçÑñ ß ẞ", "İstanbul ıi", "ǅ ǈ ǋ", "ᾼ ῌ ῼ", "Ω ohm Ω", "K kelvin K",
]


def headings_and_comments() -> list[str]:
    """Every line of the docs that starts with #: headings, and comments in code blocks."""
    found = set()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for line in page.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*#+ (.+)", line)
            if match:
                found.add(match.group(1).strip())
    return sorted(found)


def figure_texts() -> list[str]:
    from aiguide.cli import collect_specs

    specs, _ = collect_specs(ROOT / "docs")
    return sorted({s.spec.params["text"] for s in specs.values() if s.spec.kind == "tokens"})


def corpus() -> list[str]:
    texts = dict.fromkeys([*HAND, *figure_texts(), *headings_and_comments()])
    return list(texts)
