"""The Gradio chat (`wegwijzer serve`): layout, theme, texts, records, service, guard, server."""
