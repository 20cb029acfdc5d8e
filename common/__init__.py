"""What every layer shares: Dutch user errors, the one Settings object, sentence splitting.

Nothing here imports from `indexing`, `assistant` or `evals`.
"""
