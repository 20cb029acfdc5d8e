"""How the chat looks: theme, CSS, translations and the small browser scripts."""

from __future__ import annotations

import gradio as gr

# System fonts only: the app must work without reaching a font CDN.
# Dark blue buttons and links keep white/blue text above a 4.5:1 contrast ratio; subdued text is
# darkened for the same reason.
THEME = gr.themes.Default(
    primary_hue="blue", font=["system-ui", "sans-serif"], font_mono=["monospace"],
).set(
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="white",
    color_accent="*primary_700",
    body_text_color_subdued="*neutral_600",
    input_placeholder_color="*neutral_500",
)
CSS = """
#wegwijzer-status { min-height: 1.5em; }
.wegwijzer-sources summary { cursor: pointer; }
.message details { margin: 0.35em 0; }
.message details > summary { cursor: pointer; font-weight: 600; }
.message blockquote { border-left: 3px solid #4b5563; padding-left: 0.75em; color: inherit; }
"""
# Gradio's own Dutch translations miss a few chatbot labels.
I18N = gr.I18n(nl={"chatbot.copy_message": "Bericht kopiëren",
                   "chatbot.copy_conversation": "Gesprek kopiëren"})
# Saves the conversation's Markdown (kept in a hidden textbox) as a file, in the browser itself.
DOWNLOAD_JS = """(text) => {
    const blob = new Blob([text || ""], {type: "text/markdown;charset=utf-8"});
    const link = document.createElement("a");
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
    link.href = URL.createObjectURL(blob);
    link.download = `wegwijzer-gesprek-${stamp}.md`;
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    return [];
}"""
# The page is Dutch: tell browsers and screen readers so.
JS = "() => { document.documentElement.lang = 'nl'; }"
