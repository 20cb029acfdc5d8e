"""Retrievers: each proposes candidate passages for a question and scores any passage exactly.

Each module registers one retriever by name (base.RETRIEVERS); the profile's
`[retrieval.lists]` weighs them. Importing the package registers them all.
"""

from . import dense, latent, lexical, sentences, title  # noqa: F401  (registers each)
from .base import (RETRIEVERS, BaseRetriever, Candidates, Filters, QueryEncoder, Resources,
                   best_positions)
from .latent import LatentTermBank, LatentTermRetriever
from .sentences import SentenceBank, SentenceRetriever, passage_sentences

__all__ = ["RETRIEVERS", "BaseRetriever", "Candidates", "Filters", "LatentTermBank",
           "LatentTermRetriever", "QueryEncoder", "Resources", "SentenceBank",
           "SentenceRetriever", "best_positions", "passage_sentences"]
