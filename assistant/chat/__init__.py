"""The Gradio chat for new councillors (`wegwijzer serve`), split by concern:

- `texts.py`: the Dutch words of the interface;
- `theme.py`: colours, fonts, CSS and the small browser scripts;
- `rendering.py`: answers, sources and the Routekaart as literal HTML;
- `records.py`: what the chat remembers of an exchange, feedback lines, the Markdown export;
- `service.py`: the Assistant behind the chat (newest index, Dutch errors, no tracebacks);
- `layout.py`: the Blocks and their events;
- `server.py`: launch options, the login guard (`guard.py`) and `serve()`.
"""
