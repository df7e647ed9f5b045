"""The registries: every figure kind and every model is defined once, and all parts agree."""

from __future__ import annotations

import inspect
from typing import is_typeddict

import pytest

from aiguide import compute, records
from aiguide.catalog import MODELS, TOKENIZER_LABELS, model_info
from aiguide.errors import GuideError
from aiguide.kinds import KINDS, figure_kind
from aiguide.spec import FigureError, parse_spec
from tests.records_sample import SAMPLES

KIND = pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))


@KIND
def test_each_kind_names_functions_that_exist_and_take_what_the_engine_passes(kind) -> None:
    assert list(inspect.signature(kind.compute_function()).parameters) == ["params"]
    assert {"key", "caption"} <= set(inspect.signature(kind.render_function()).parameters)


@KIND
def test_each_kind_stores_a_typed_record_that_its_sample_fits(kind) -> None:
    assert is_typeddict(kind.record) and kind.record.__module__ == records.__name__
    assert records.shape_problem(SAMPLES[kind.name]()["data"], kind.record) is None


@KIND
def test_a_kind_takes_a_model_option_exactly_when_it_names_models(kind) -> None:
    assert ("model" in kind.schema) == bool(kind.models)
    assert set(kind.models) <= set(MODELS)


@KIND
def test_the_spec_parser_reads_each_kind_from_the_registry(kind) -> None:
    required = {name: _example(option.type) for name, option in kind.schema.items()
                if option.required}
    if "model" in required:
        required["model"] = kind.models[0]
    if "items" in required:
        required["items"] = ["one", "two"]
    source = "\n".join([f"kind: {kind.name}", *(f"{k}: {v!r}" for k, v in required.items())])
    assert parse_spec(source).kind == kind.name


def _example(option_type: type | tuple) -> object:
    return {str: "some text", int: 1, float: 0.5, list: ["a", "b"]}[
        option_type[0] if isinstance(option_type, tuple) else option_type]


def test_a_model_a_kind_cannot_run_is_refused_with_the_ones_it_can() -> None:
    with pytest.raises(FigureError, match="use model: smollm2"):
        parse_spec("kind: next-token\nmodel: minilm\nprompt: Hi")


def test_unknown_model_names_are_errors_listing_the_known_ones() -> None:
    """They once fell through to SmolLM2."""
    with pytest.raises(GuideError, match="use one of: minilm, smollm2"):
        model_info("gpt2")
    with pytest.raises(GuideError, match="minilm, smollm2"):
        compute._load("gpt2")


def test_unknown_kind_names_are_errors_listing_the_known_ones() -> None:
    with pytest.raises(GuideError, match="use one of: tokens, attention"):
        figure_kind("attenton")


def test_every_tokenizer_label_comes_from_the_model_registry() -> None:
    for name, info in MODELS.items():
        assert TOKENIZER_LABELS[name] == info.tokenizer_label
    assert set(TOKENIZER_LABELS) == {"cl100k_base", *MODELS}


def test_the_compute_module_has_no_kind_table_of_its_own() -> None:
    """One place per kind: no module-level dict keyed by kind names outside the registry."""
    for module in (compute, records):
        for value in vars(module).values():
            if value is not KINDS and isinstance(value, dict) and value and set(value) <= set(KINDS):
                pytest.fail(f"{module.__name__} keeps its own table of kinds")

