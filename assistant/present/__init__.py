"""One presenter per format (html, markdown, terminal, speech), fed by the same `Answer`; the
core never imports this package."""
