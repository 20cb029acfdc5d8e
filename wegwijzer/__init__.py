"""The `wegwijzer` command: the top layer, above evals, assistant, indexing and common."""
