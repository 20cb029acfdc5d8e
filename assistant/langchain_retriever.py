"""The hybrid search as a LangChain retriever, for use in chains (kept apart: a slow import)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .retrieval import Filters


class WegwijzerRetriever(BaseRetriever):
    """LangChain retriever over the hybrid search, for use in chains."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: Any
    k: int = 5
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun
                                ) -> list[LCDocument]:
        return [
            LCDocument(page_content=hit.text, metadata=dict(hit.place.to_metadata(), chunk_id=hit.chunk_id, score=hit.score))
            for hit in self.search.search(query, k=self.k, filters=self.filters)
        ]
