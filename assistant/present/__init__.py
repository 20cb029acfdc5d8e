"""The faces' shared layer: one presenter per format, fed by the same `Answer`.

- `errors.py`: every failure as the Dutch message a user reads;
- `labels.py`: the Dutch words every presenter uses;
- `html.py` (the chat), `markdown.py` (the API and the export), `terminal.py` (the CLI) and
  `speech.py` (what a screen reader announces).

The core (retrieval, steps, answerers) never imports this package; the faces (chat, api,
mcp_tools, cli) do.
"""
