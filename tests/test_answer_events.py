"""Answers as events: what an answerer streams, and how the configured one is built (no index)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessageChunk

from assistant.answering import ExtractiveAnswerer, make_answerer
from assistant.profile import Profile
from assistant.llm import ChatModelAnswerer, FallbackAnswerer, content_text, is_refusal
from assistant.lexical import Vocabulary
from assistant.model import Answer, SourcesFound, TextDelta, Turn, final_answer
from common.errors import WegwijzerError
from common.settings import Settings
from indexing.places import Place

QUOTE = ("Een attractieve agenda trekt partners aan. De agenda moet concreet zijn en gedragen "
         "worden door alle gemeenten in de regio. Zonder een gedeelde agenda valt de samenwerking "
         "snel uit elkaar.")


def _sources() -> list[Any]:
    from assistant.model import Source

    place = Place(publication_id="jaarbericht", publication_title="Jaarbericht", kind="handreiking",
                  source_file="j.pdf", wegwijzer=2, wegwijzer_title="Attractieve agenda",
                  page_start=12, page_end=13)
    return [Source(marker=1, chunk_id="j/1", place=place, quote=QUOTE, score=0.9)]


def test_the_extractive_answerer_streams_sources_deltas_then_one_answer() -> None:
    answerer = ExtractiveAnswerer(Vocabulary([QUOTE]))
    events = list(answerer.stream("Wat is een attractieve agenda?", _sources()))

    assert isinstance(events[0], SourcesFound) and events[0].sources[0].chunk_id == "j/1"
    deltas = [e.text for e in events[1:-1]]
    assert all(isinstance(e, TextDelta) for e in events[1:-1]) and len(deltas) >= 2
    final = events[-1]
    assert isinstance(final, Answer) and final.refused is False
    assert final.answer == "".join(deltas) and "[1]" in final.answer
    # answer() is the stream's final Answer, not a second implementation.
    assert answerer.answer("Wat is een attractieve agenda?", _sources()).answer == final.answer



def test_the_sources_carry_the_sentences_the_answer_took_from_them() -> None:
    final = ExtractiveAnswerer(Vocabulary([QUOTE])).answer("Wat is een attractieve agenda?",
                                                           _sources())
    quoted = final.sources[0].quoted
    assert quoted, "the extractive answer quotes its source"
    for sentence in quoted:  # verbatim pieces of the passage, and of the answer
        assert sentence in QUOTE and sentence in final.answer
    assert final.sources[0].to_json()["quoted"] == list(quoted)


def test_a_model_answer_marks_the_passage_sentences_that_support_it() -> None:
    class Model:
        def stream(self, messages: list[Any]):
            yield AIMessageChunk(content="De agenda moet concreet zijn en door alle gemeenten "
                                         "gedragen worden [1]. Appels zijn rond [1].")

    answer = final_answer(ChatModelAnswerer(Model()).stream("Hoe?", _sources()))
    assert answer.sources[0].quoted == (
        "De agenda moet concreet zijn en gedragen worden door alle gemeenten in de regio.",)
    assert answer.unsupported == ["Appels zijn rond."]


def test_content_blocks_and_strings_both_give_text() -> None:
    assert content_text("Hallo [1]") == "Hallo [1]"
    assert content_text([{"type": "text", "text": "Hallo "}, {"type": "image_url", "url": "x"},
                         "wereld [1]"]) == "Hallo wereld [1]"
    assert content_text([]) == ""


class _BlockModel:
    """A chat model whose chunks carry content-block lists, as some providers stream them."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def stream(self, messages: list[Any]):
        self.seen = messages
        yield AIMessageChunk(content=[{"type": "text", "text": "Een agenda "}])
        yield AIMessageChunk(content=[{"type": "text", "text": "trekt partners aan [1]."}])


def test_a_chat_model_gets_the_history_and_its_blocks_become_text() -> None:
    model = _BlockModel()
    history = [Turn(question="Wat is een agenda?", answer="Een plan [1].")]
    answer = final_answer(ChatModelAnswerer(model).stream("En waarom?", _sources(), history))

    assert answer.answer == "Een agenda trekt partners aan [1]." and answer.refused is False
    roles = [role for role, _ in model.seen]
    assert roles == ["system", "human", "ai", "human"]
    assert answer.llm == "chatmodel" and answer.citations_checked is True
    assert model.seen[1][1] == "Wat is een agenda?" and "En waarom?" in model.seen[-1][1]
    assert QUOTE in model.seen[-1][1]


@pytest.mark.parametrize("text", ["Dat staat er niet in.", "'Dat staat er niet in.'",
                                  "dat staat er niet in: de bronnen gaan over iets anders"])
def test_the_fixed_refusal_form_makes_a_refused_answer(text: str) -> None:
    assert is_refusal(text)
    answer = ChatModelAnswerer(FakeListChatModel(responses=[text])).answer("Wat kost het?",
                                                                        _sources())
    assert answer.refused is True


def test_an_answer_that_mentions_the_form_later_is_not_a_refusal() -> None:
    assert not is_refusal("De agenda trekt partners aan [1]. Meer dan dat staat er niet in.")


def test_make_answerer_reads_the_settings() -> None:
    vocabulary = Vocabulary([QUOTE])
    profile = Profile.load()
    assert isinstance(make_answerer(Settings(), profile, vocabulary), ExtractiveAnswerer)
    chat = make_answerer(Settings(llm="openai:qwen", llm_base_url="http://127.0.0.1:9/v1"),
                         profile, vocabulary)
    assert isinstance(chat, FallbackAnswerer) and chat.name == "openai:qwen"
    assert isinstance(chat.primary, ChatModelAnswerer)
    assert isinstance(chat.fallback, ExtractiveAnswerer)
    model = chat.primary.model
    assert model.temperature == 0 and model.openai_api_base == "http://127.0.0.1:9/v1"
    ollama = make_answerer(Settings(llm="ollama:qwen2.5:7b"), profile, vocabulary)
    assert ollama.primary.model.model == "qwen2.5:7b"
    with pytest.raises(WegwijzerError, match="Onbekend taalmodel 'gpt4'.*openai:MODEL"):
        make_answerer(Settings(llm="gpt4"), profile, vocabulary)


def test_llm_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({"WEGWIJZER_LLM": "openai:m", "WEGWIJZER_LLM_BASE_URL": "http://x/v1",
                                  "WEGWIJZER_LLM_TIMEOUT": "30"})
    assert (settings.llm, settings.llm_base_url, settings.llm_timeout) == ("openai:m", "http://x/v1", 30)


def test_two_passages_of_one_place_are_one_source() -> None:
    from assistant.model import Hit
    from assistant.steps import one_source_per_place
    from indexing.places import Place

    story = Place(publication_id="jaarbericht", wegwijzer=6, story_title="Betrokkenheid vormgeven")
    other = Place(publication_id="jaarbericht", wegwijzer=2)
    hits = [Hit("b", "Tweede deel.", "", story, score=0.9, position=8),
            Hit("o", "Elders.", "", other, score=0.8, position=3),
            Hit("a", "Eerste deel.", "", story, score=0.7, position=7)]

    sources = one_source_per_place(hits)

    assert [(s.marker, s.chunk_id, s.place) for s in sources] == [(1, "b", story), (2, "o", other)]
    assert sources[0].quote == "Eerste deel.\n\nTweede deel."  # in the publication's order
    assert sources[0].score == 0.9
