"""Retrievers, one module each, registered by name in base.RETRIEVERS (importing the package
registers them all); the profile's `[retrieval.lists]` weighs them."""

from . import dense, latent, lexical, sentences, title  # noqa: F401  (registers each)
from .base import (RETRIEVERS, BaseRetriever, Candidates, Filters, QueryEncoder, Resources,
                   best_positions)
from .latent import LatentTermBank, LatentTermRetriever
from .sentences import SentenceBank, SentenceRetriever, passage_sentences

__all__ = ["RETRIEVERS", "BaseRetriever", "Candidates", "Filters", "LatentTermBank",
           "LatentTermRetriever", "QueryEncoder", "Resources", "SentenceBank",
           "SentenceRetriever", "best_positions", "passage_sentences"]
