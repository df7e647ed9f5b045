"""Self-check sections: every Guide page ends with one, and every number it gives is real.

A question or answer that quotes a number (a token count, a similarity, how many tokens a
cut keeps) must quote what the page itself shows: the stored figure record, loaded through
the page's own spec (so a spec edited without `make figures` fails too), or a code block's
printed `#>` output (which tests/test_code_blocks.py re-runs). Each claim below names the
phrases the text must contain, built from that data; a drifted record or an edited number
fails with the page's file:line and the phrase it expected.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import yaml

from aiguide import store
from aiguide.cli import ROOT
from aiguide.pages import SelfCheck, self_checks
from aiguide.spec import find_figures, parse_spec

WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


def guide_pages() -> list[str]:
    """The pages under the nav's Guide section, as paths from the repository root."""
    loader = type("NavLoader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("", lambda *_: None)  # mkdocs.yml's !!python/name tags
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=loader)
    guide = next(entry["Guide"] for entry in config["nav"] if isinstance(entry, dict) and "Guide" in entry)
    return [f"docs/{path}" for item in guide for path in item.values()]


def source_of(page: str) -> str:
    return (ROOT / page).read_text(encoding="utf-8")


def figure_data(source: str, page: str, kind: str, **params: object) -> dict:
    """The stored data of the page's ``kind`` figure whose spec has these parameters."""
    for block in find_figures(source, page):
        spec = parse_spec(block.source)
        if spec.kind == kind and all(spec.params.get(k) == v for k, v in params.items()):
            record = store.read_record(spec.key, store.data_dir())
            assert record is not None, f"{page}:{block.line}: no stored record for {spec.key}: run `make figures`"
            return record["data"]
    raise AssertionError(f"{page}: no {kind} figure with {params}")


def printed_after(source: str, code: str) -> str:
    """The first `#>` output line after the first line of code containing ``code``."""
    lines = source.split("\n")
    start = next(i for i, line in enumerate(lines) if code in line and not line.lstrip().startswith("#>"))
    return next(line.split("#> ", 1)[1] for line in lines[start:] if line.lstrip().startswith("#> "))


def printed_line(source: str, pattern: str) -> re.Match[str]:
    """The one `#>` output line of the page that matches ``pattern`` (from its start)."""
    found = [m for line in source.split("\n") if line.lstrip().startswith("#> ")
             for m in [re.match(pattern, line.split("#> ", 1)[1])] if m]
    assert len(found) == 1, f"{len(found)} printed lines match {pattern!r}"
    return found[0]


def pieces(data: dict, tokenizer: str) -> list[str]:
    return [t["text"] for t in next(t for t in data["tokenizers"] if t["name"] == tokenizer)["tokens"]]


# -- What each numeric question must say, computed from the page's data -------------------

def basics_token_counts(source: str, page: str) -> list[str]:
    """cl100k_base against SmolLM2 on the tokens figure: the extra tokens are the digits and 'vably'."""
    data = figure_data(source, page, "tokens", tokenizers=["cl100k_base", "minilm", "smollm2"])
    cl, sm = pieces(data, "cl100k_base"), pieces(data, "smollm2")
    digits = sum(c.isdigit() for c in data["text"])
    cl_digits, sm_digits = (sum(p.strip().isdigit() for p in ps) for ps in (cl, sm))
    other = len(sm) - len(cl) - (sm_digits - cl_digits)
    assert "vably" in cl and {"v", "ably"} <= set(sm), "the answer names 'vably' as the other split"
    return [f"costs {len(cl)} tokens with cl100k_base and {len(sm)} with SmolLM2",
            f"Where do the {len(sm) - len(cl)} extra tokens", f"the {digits} digits of",
            f"take {sm_digits} tokens", f"packs them into {cl_digits} pieces",
            f"The {WORDS.get(other, other)} remaining extra token"]


def basics_strawberry(source: str, page: str) -> list[str]:
    """The printed splits of 'strawberry' with and without a leading space."""
    bare = ast.literal_eval(printed_after(source, 'enc.encode("strawberry")'))
    spaced = ast.literal_eval(printed_after(source, 'enc.encode(" strawberry")'))
    listed = ", ".join(f"'{p}'" for p in bare[:-1]) + f" and '{bare[-1]}'"
    return [f"the word is {len(spaced)} token, '{spaced[0]}'", f"it is {len(bare)}, {listed}"]


def basics_bank(source: str, page: str) -> list[str]:
    """The two 'bank' sentences: above every other cross-topic pair, below the loan paraphrase."""
    data = figure_data(source, page, "similarity", model="minilm")
    m = data["matrix"]
    loan, lender, river = 0, 1, 2
    assert "bank" in data["items"][loan] and "bank" in data["items"][river]
    topics = [(0, 1), (2, 3), (4, 5)]
    cross = [m[a][b] for i, g in enumerate(topics) for h in topics[i + 1:] for a in g for b in h]
    assert m[loan][river] == max(cross), "the question says no other cross-topic pair scores higher"
    return [f"score {m[loan][river]:.2f}: higher than any other pair",
            f"its paraphrase at {m[loan][lender]:.2f}"]


def basics_fridge(source: str, page: str) -> list[str]:
    """The fridge prompt's top token and the size of its top-p nucleus."""
    data = figure_data(source, page, "next-token", prompt="She opened the fridge and took out a")
    return [f"probability of only {data['probs']['1.0'][0]:.2f}", f"top-p {data['top_p']:g}",
            f"{data['top_p_cut']['1.0']:,} in the figure"]


def lm101_temperature_cut(source: str, page: str) -> list[str]:
    """The nucleus of the four-temperature figure at its lowest and highest temperature."""
    data = figure_data(source, page, "next-token", temperatures=[0.2, 0.7, 1.0, 1.5])
    cut = data["top_p_cut"]
    return [f"top-p {data['top_p']:g} keeps {cut['0.2']:,} tokens at temperature 0.2",
            f"{cut['1.5']:,} in the figure"]


def lm101_order(source: str, page: str) -> list[str]:
    """The two favourites after the prompt, which every temperature keeps in order."""
    data = figure_data(source, page, "next-token", temperatures=[0.2, 0.7, 1.0, 1.5])
    first, second = (c["text"] for c in data["candidates"][:2])
    return [f"make '{second}' more likely than '{first}'", f"'{first}' stays first"]


def lm101_kv_cache(source: str, page: str) -> list[str]:
    """The printed KV-cache sizes with and without grouped-query attention."""
    heads = re.fullmatch(r"\d+ layers, (\d+) query heads, (\d+) KV heads of \d+", printed_after(source, "cfg.n_head_kv"))
    full = re.fullmatch(r"([\d.]+) MB for a full window.*", printed_after(source, "per_token * cfg.n_ctx"))
    big = re.fullmatch(r"([\d.]+) MB if every query head.*", printed_after(source, "without_gqa * cfg.n_ctx"))
    assert heads and full and big, "the KV-cache block's printed output changed shape"
    query, kv = int(heads[1]), int(heads[2])
    return [f"{query} query heads but only {kv} key/value heads",
            f"{WORDS[query // kv].capitalize()} times as big: {big[1]} MB instead of {full[1]} MB",
            f"here {query} to {kv}"]


def lm101_chat_tokens(source: str, page: str) -> list[str]:
    """The chat-template figure: all its tokens, and the question's own."""
    data = figure_data(source, page, "tokens", text="Why is the sky blue?")
    ps = pieces(data, "smollm2")
    user = max(i for i in range(len(ps) - 2) if ps[i:i + 3] == ["<|im_start|>", "user", "\n"]) + 3
    question = ps.index("<|im_end|>", user) - user
    return [f"reads {len(ps)} tokens, only {question} of which are the question"]


def choosing_fits_8gb(source: str, page: str) -> list[str]:
    """The printed table: a 14B model's Q4_1 weights exceed 8 GB, an 8B model's do not."""
    q14 = printed_line(source, r"14B\s+[\d.]+\s+[\d.]+\s+([\d.]+)$")[1]
    q8 = printed_line(source, r"8B\s+[\d.]+\s+[\d.]+\s+([\d.]+)$")[1]
    assert float(q14) > 8 > float(q8), "the answer says 14B does not fit in 8 GB and 8B does"
    return ["Your graphics card has 8 GB", f"weights alone take {q14} GB at Q4_1", f"The 8B model's weights take {q8} GB"]


def choosing_shuffled_perplexity(source: str, page: str) -> list[str]:
    """The printed perplexities of the tea sentence, in order and shuffled."""
    line = printed_line(source, r"\s*([\d.]+) vs\s+(\d+)\s+She tea")
    return [f"from {line[1]} to {int(line[2]):,}"]


def running_bits(source: str, page: str) -> list[str]:
    """The printed bits per weight, and the block layout that explains them."""
    bits = ast.literal_eval(printed_after(source, "print(quant.BITS_PER_WEIGHT)"))
    assert bits["Q4_1"] == 4 + (16 + 16) / 32 and bits["Q8_0"] == 8 + 16 / 32, bits
    return [f"cost {bits['Q4_1']:g} bits, not 4", f"which is {bits['Q8_0']:g}"]


def running_8b_memory(source: str, page: str) -> list[str]:
    """The printed memory of an 8B model at 4,096 and 131,072 tokens of context."""
    row = r"\s*{} tokens: ([\d.]+) GB weights \+\s*([\d.]+) GB cache =\s*([\d.]+) GB"
    long, short = printed_line(source, row.format("131,072")), printed_line(source, row.format("4,096"))
    assert float(long[2]) > 3 * float(long[1]), "the answer says the cache is over three times the weights"
    return [f"needs {long[3]} GB at a context of 131,072 tokens", f"The KV cache: {long[2]} GB",
            f"the {long[1]} GB of weights", f"at 4,096 tokens the whole model needs {short[3]} GB"]


def rag_negation(source: str, page: str) -> list[str]:
    """The similarity figure: the negated pair above the question and its answer."""
    m = figure_data(source, page, "similarity", model="minilm")["matrix"]
    assert m[2][3] > m[0][1], "the question says the negated pair scores higher"
    return [f"its negation score {m[2][3]:.2f}", f"the question and its answer at {m[0][1]:.2f}"]


def rag_truncation(source: str, page: str) -> list[str]:
    """The printed similarity of two texts that differ only after the input limit."""
    limit = printed_after(source, "sentence_bert_config.json")
    return [f"similarity of {printed_after(source, 'the endings were never read')}", f"the {limit} word pieces"]


def rag_recall(source: str, page: str) -> list[str]:
    """The printed recall of the labelled questions."""
    line = printed_line(source, r"recall@1 ([\d.]+)  recall@3 ([\d.]+)  MRR ([\d.]+)")
    return [f"recall@1 is {line[1]} and recall@3 is {line[2]}", "three questions in four"
            if float(line[2]) == 0.75 else f"recall@3 is {line[2]}, not three in four"]


def ft_full_bytes(source: str, page: str) -> list[str]:
    """The printed bytes per parameter for full fine-tuning, and the sum that gives them."""
    full = int(printed_line(source, r"bytes per parameter: full (\d+),")[1])
    assert full == 2 + 2 + 3 * 4, "the answer adds 2 + 2 + 12"
    return [f"need about {full} bytes per parameter", f"2 + 2 + 12 = {full} bytes"]


def ft_lora_share(source: str, page: str) -> list[str]:
    """The printed size of a rank-8 adapter on the query and value projections."""
    line = printed_line(source, r"2 matrices x (\d+) layers, r=8\s+([\d,]+) \(([\d.]+%) of the model\)")
    return [f"all {line[1]} layers trains {line[2]} of SmolLM2's parameters, {line[3]}"]


def scratch_training_state(source: str, page: str) -> list[str]:
    """The printed training state of a 7B model, and its 16-bit weights' share of it."""
    state = printed_line(source, r"a 7B model\s+([\d,.]+) GB of training state")[1]
    assert float(state) == 7e9 * 16 / 1e9, "the answer explains 16 bytes per parameter"
    return [f"takes {state} GB of training state", f"fill only {7e9 * 2 / 1e9:.0f} GB"]


def scratch_compute_optimal(source: str, page: str) -> list[str]:
    """The printed FLOPs of SmolLM2-135M and the compute-optimal model for them."""
    flops = printed_line(source, r"([\d.e+]+) FLOPs$")[1]
    optimal = printed_line(source, r"its compute, spent compute-optimally: ([\d.]+B) parameters on (\d+B) tokens")
    return [f"SmolLM2-135M's {flops} FLOPs", f"a {optimal[1]} model on {optimal[2]} tokens"]


def beyond_latent(source: str, page: str) -> list[str]:
    """The printed size of Stable Diffusion 1.x's latent against its pixels."""
    row = printed_line(source, r"\s*512px:\s+[\d,]+ pixel values ->\s+(\S+) latent:\s+[\d,]+ values \((\d+)x fewer\)")
    return [f"denoises a {row[1].replace('x', '×')} latent", f"{row[2]} times fewer"]


def beyond_audio_tokens(source: str, page: str) -> list[str]:
    """The printed audio-token rate of EnCodec at 6 kbit/s and its count for 10 seconds."""
    rate = printed_line(source, r"\d+ frames/s x \d+ codebooks = (\d+) tokens/s = (\d+) kbit/s")
    ten = printed_line(source, r"10 s of speech: ([\d,]+) audio tokens")[1]
    return [f"EnCodec at {rate[2]} kbit/s turns speech into {rate[1]} tokens per second", f"{ten} audio tokens"]


@dataclass(frozen=True)
class NumericAnswer:
    """A self-check question (found by how it starts) and the phrases its data dictates."""

    page: str
    question: str
    phrases: Callable[[str, str], list[str]]


BASICS, LM101 = "docs/ai-basics/index.md", "docs/language-models-101/index.md"
CHOOSING, RUNNING = "docs/choosing-models/index.md", "docs/running-llms-locally/index.md"
RAG, FINE_TUNING = "docs/embeddings-and-rag/index.md", "docs/fine-tuning/index.md"
SCRATCH, BEYOND = "docs/models-from-scratch/index.md", "docs/beyond-text/index.md"
NUMERIC = [
    NumericAnswer(BASICS, "The sentence in the tokens figure costs", basics_token_counts),
    NumericAnswer(BASICS, "Why does a model asked how many r's", basics_strawberry),
    NumericAnswer(BASICS, "The loan and riverside sentences", basics_bank),
    NumericAnswer(BASICS, "After 'She opened the fridge", basics_fridge),
    NumericAnswer(LM101, "In the figure of four temperatures", lm101_temperature_cut),
    NumericAnswer(LM101, "Could any temperature make", lm101_order),
    NumericAnswer(LM101, "SmolLM2 has 9 query heads", lm101_kv_cache),
    NumericAnswer(LM101, "Asked 'Why is the sky blue?'", lm101_chat_tokens),
    NumericAnswer(CHOOSING, "Your graphics card has 8 GB", choosing_fits_8gb),
    NumericAnswer(CHOOSING, "Shuffling the words of the tea sentence", choosing_shuffled_perplexity),
    NumericAnswer(RUNNING, "Why does a Q4_1 weight cost", running_bits),
    NumericAnswer(RUNNING, "An 8B model at 5 bits per weight", running_8b_memory),
    NumericAnswer(RAG, "In the figure, 'The medicine is safe", rag_negation),
    NumericAnswer(RAG, "Two long texts that differ only", rag_truncation),
    NumericAnswer(RAG, "Your application puts the first 3", rag_recall),
    NumericAnswer(FINE_TUNING, "Why does full fine-tuning with Adam", ft_full_bytes),
    NumericAnswer(FINE_TUNING, "Rank 8 on the query and value", ft_lora_share),
    NumericAnswer(SCRATCH, "Training a 7B model with mixed-precision", scratch_training_state),
    NumericAnswer(SCRATCH, "SmolLM2-135M's 1.61e+21 FLOPs", scratch_compute_optimal),
    NumericAnswer(BEYOND, "Stable Diffusion 1.x denoises", beyond_latent),
    NumericAnswer(BEYOND, "EnCodec at 6 kbit/s", beyond_audio_tokens),
]


def _masked(text: str) -> str:
    return re.sub(r"\d", "#", text)


def find_check(source: str, claim: NumericAnswer) -> SelfCheck:
    # Digits are masked so that a question whose own number is wrong is still found.
    found = [c for c in self_checks(source) if _masked(c.question).startswith(_masked(claim.question))]
    assert len(found) == 1, f"{claim.page}: {len(found)} self-check questions start {claim.question!r}"
    return found[0]


def numeric_problems(source: str, claim: NumericAnswer) -> list[str]:
    """What the question and answer should say but do not, each as file:line: problem."""
    check = find_check(source, claim)
    text = f"{check.question} {check.answer}"
    return [f"{claim.page}:{check.line}: {claim.question!r}... should say {phrase!r}, as the page's "
            "data gives it (after `make figures` or `pytest tests/test_code_blocks.py --update-examples`, "
            "copy the new number into the question)"
            for phrase in claim.phrases(source, claim.page) if phrase not in text]


@pytest.mark.parametrize("claim", NUMERIC, ids=lambda c: f"{c.page.split('/')[1]}: {c.question}")
def test_self_check_numbers_are_the_pages_own(claim):
    problems = numeric_problems(source_of(claim.page), claim)
    assert not problems, "\n".join(problems)


def _off_by_one(phrase: str) -> str:
    """The phrase with its first number changed (9 becomes 0, 0.47 becomes 1.47)."""
    return re.sub(r"\d", lambda m: str((int(m[0]) + 1) % 10), phrase, count=1)


@pytest.mark.parametrize("claim", NUMERIC, ids=lambda c: f"{c.page.split('/')[1]}: {c.question}")
def test_a_wrong_number_in_a_self_check_is_caught(claim):
    """Each claim's check fails when any one of its numbers in the page is made wrong."""
    source = source_of(claim.page)
    check = find_check(source, claim)
    for phrase in claim.phrases(source, claim.page):
        if not re.search(r"\d", phrase):
            continue
        wrong = _off_by_one(phrase)
        assert source.count(phrase) >= 1 and wrong != phrase
        # Only the self-check's own copy is changed: the figure data stays as it is.
        start = source.index(f'question "{check.question}"')
        edited = source[:start] + source[start:].replace(phrase, wrong, 1)
        problems = numeric_problems(edited, claim)
        assert any(repr(phrase) in p for p in problems), f"{phrase!r} -> {wrong!r} passed unnoticed"


# -- Every Guide page has a self-check the build checks -----------------------------------

@pytest.mark.parametrize("page", guide_pages())
def test_every_guide_page_ends_with_three_to_six_checked_questions(page):
    """The section is found by aiguide.pages.self_checks, the reader the build uses: a heading
    spelt differently would silently escape the check that each answer links to a section."""
    source = source_of(page)
    checks = self_checks(source)
    assert 3 <= len(checks) <= 6, f"{page}: {len(checks)} self-check questions (want 3 to 6 under "\
        "'## Check your understanding { #self-check }')"
    anchors = set(re.findall(r"\{[^}]*#([\w-]+)[^}]*\}", source))
    for check in checks:
        local = [link[1:] for link in check.links if link.startswith("#")]
        assert local, f"{page}:{check.line}: the answer links to no section of its own page"
        missing = [a for a in local if a not in anchors]
        assert not missing, f"{page}:{check.line}: no section {missing} on this page"


def test_the_guide_pages_are_read_from_the_nav():
    pages = guide_pages()
    assert "docs/ai-basics/index.md" in pages and "docs/tools-and-agents/index.md" in pages
    assert all((ROOT / p).is_file() for p in pages)


def _plain(markdown: str) -> str:
    """An answer's opening without Markdown links or code marks, as a page's text shows it."""
    return _normalised(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown).replace("`", ""))[:60]


def _normalised(text: str) -> str:
    """Tags dropped, entities decoded, curly quotes straightened and spaces collapsed."""
    import html

    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.translate(str.maketrans("‘’“”", "''\"\"")).split())


def test_search_has_the_questions_but_not_the_answers(built_site):
    """Answers repeat their sections; aiguide.pages.mark_self_check_answers keeps them out.

    Each answer's opening is first found in its built page, so that a miss in the search
    index means the answer was excluded, not that the text was looked for wrongly.
    """
    import json

    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    searchable = _normalised(" ".join(doc["text"] + " " + doc["title"] for doc in index["docs"]))
    for page in guide_pages():
        shown = _normalised((built_site / page.removeprefix("docs/").replace(".md", ".html"))
                            .read_text(encoding="utf-8"))
        for check in self_checks(source_of(page)):
            question, answer = _plain(check.question)[:40], _plain(check.answer)
            assert question in shown and answer in shown, f"{page}:{check.line}: not found in the built page"
            assert question in searchable, f"{page}:{check.line}: question not searchable"
            assert answer not in searchable, f"{page}:{check.line}: answer is in the search index"


def test_self_checks_are_not_passages_of_the_guides_semantic_search():
    """aiguide.retrieval skips them, as it skips references: with it, the RAG page's search
    for "What does nucleus sampling do?" ranked Language models 101's self-check third."""
    from aiguide.retrieval import split_sections

    for page in guide_pages():
        passages = split_sections(source_of(page), page, level=3)
        assert self_checks(source_of(page)) and "self-check" not in {p.anchor for p in passages}, page
