"""How the chat looks: theme, CSS, translations and the small browser scripts."""

from __future__ import annotations

import gradio as gr

# System fonts only (no font CDN); darker blues and greys keep text above a 4.5:1 contrast.
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
MOBILE_BELOW_PX = 800
CSS = """
#wegwijzer-status { min-height: 1.5em; }
.message details { margin: 0.35em 0; }
.message ul { padding-left: 1.4em; margin: 0.35em 0; }
.message details > summary { cursor: pointer; font-weight: 600; }
.message blockquote { border-left: 3px solid #4b5563; padding-left: 0.75em; color: inherit; }
.message mark { background: #fde68a; color: #1f2937; padding: 0 0.1em; border-radius: 2px; }
:focus-visible { outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
.wegwijzer-sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0;
  margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
#wegwijzer-paneelknop { display: none; }
#wegwijzer-chat { height: clamp(360px, calc(100svh - 300px), 640px) !important; }
/* Gradio shows an English navbar on a multipage app, even with gr.Navbar(visible=False). */
.nav-holder { display: none !important; }
#wegwijzer-chat .wrapper { display: flex; flex-direction: column; }
#wegwijzer-chat .wrapper > .top-panel { position: static; align-self: flex-end; margin: 2px 4px; }
#wegwijzer-chat .wrapper > .bubble-wrap { flex: 1 1 0; min-height: 0; }
@media (max-width: MOBILE_MAXpx) {
  #wegwijzer-main { flex-direction: column; flex-wrap: nowrap; }
  #wegwijzer-main > .column { width: 100%; min-width: 100% !important; flex: none; }
  #wegwijzer-paneel:not(.wegwijzer-open) { display: none !important; }
  #wegwijzer-paneelknop { display: block; }
  #wegwijzer-intro { display: none; }
  #wegwijzer-ask { flex-direction: column; flex-wrap: nowrap; }
  #wegwijzer-ask > * { width: 100%; min-width: 100% !important; flex: none; }
  #wegwijzer-chat { height: min(560px, calc(100svh - 330px)) !important; min-height: 300px; }
}
""".replace("MOBILE_MAX", str(MOBILE_BELOW_PX - 1))
# Gradio labels its buttons in the browser's language: every language it ships gets the Dutch
# words, so the page is Dutch whatever the browser is set to.
GRADIO_LANGUAGES = ("ar ca ckb de en es et eu fa fi fr he hi id ja ko lt nb nl pl pt pt-BR ro ru "
                    "sv ta th tr uk ur uz zh-CN zh-TW").split()
DUTCH_LABELS = {
    "chatbot.copy_message": "Bericht kopiëren",
    "chatbot.like": "Vind ik leuk", "chatbot.dislike": "Vind ik niet leuk",
    "chatbot.clear": "Gesprek wissen", "chatbot.retry": "Opnieuw proberen",
    "chatbot.undo": "Ongedaan maken", "chatbot.edit": "Bewerken", "chatbot.submit": "Verzenden",
    "chatbot.cancel": "Annuleren", "common.clear": "Wissen", "common.submit": "Verzenden",
    "common.download": "Downloaden", "common.edit": "Bewerken", "common.error": "Fout",
    "common.loading": "Laden", "common.remove": "Verwijderen", "common.undo": "Ongedaan maken",
}
I18N = gr.I18n(**{language: DUTCH_LABELS for language in GRADIO_LANGUAGES})
# Saves the conversation's Markdown (a hidden textbox) as a file, in the browser itself.
DOWNLOAD_JS = """(text) => {
    const blob = new Blob([text || ""], {type: "text/markdown;charset=utf-8"});
    const link = document.createElement("a");
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
    link.href = URL.createObjectURL(blob);
    link.download = `wegwijzer-gesprek-${stamp}.md`;
    link.textContent = link.download;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    return [];
}"""
# On load: a Dutch page; one aria-live region announces a complete answer once (Gradio's chat
# log, which would read every streamed piece, is quieted); Dutch names where Gradio has English;
# the focus in the question box on a wide screen only (a phone would pop up its keyboard).
JS = """() => {
    document.documentElement.lang = 'nl';
    if (!document.getElementById('wegwijzer-live')) {
        const live = document.createElement('div');
        live.id = 'wegwijzer-live';
        live.className = 'wegwijzer-sr-only';
        live.setAttribute('role', 'status');
        live.setAttribute('aria-live', 'polite');
        live.setAttribute('aria-atomic', 'true');
        document.body.appendChild(live);
    }
    window.wegwijzerShow = (message) => {
        const row = message.closest('.message-row') || message;
        const box = row.closest('[role="log"]');
        if (box) {
            box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
        }
        const top = row.getBoundingClientRect().top;
        if (top < 0 || top > window.innerHeight - 160) { window.scrollBy(0, top - 16); }
    };
    const tidy = () => {
        document.querySelectorAll('#wegwijzer-chat [aria-live]').forEach(el => {
            if (el.getAttribute('aria-live') !== 'off') { el.setAttribute('aria-live', 'off'); }
            if (el.getAttribute('role') === 'log') { el.setAttribute('aria-label', 'Gesprek'); }
        });
        document.querySelectorAll('#wegwijzer-chat .examples[role="list"]').forEach(el => {
            el.setAttribute('role', 'group');
            el.setAttribute('aria-label', 'Voorbeeldvragen');
        });
        document.querySelectorAll('#wegwijzer-chat button.example').forEach((el, i) => {
            const label = el.getAttribute('aria-label') || '';
            if (label.startsWith('Select example')) {
                el.setAttribute('aria-label', `Voorbeeldvraag ${i + 1}: ${el.textContent.trim()}`);
            }
        });
        document.querySelectorAll('#wegwijzer-chat [aria-label]').forEach(el => {
            const role = /^(bot|user)'s message/.exec(el.getAttribute('aria-label'));
            if (role) { el.setAttribute('aria-label', role[1] === 'user' ? 'Uw vraag' : 'Antwoord van Wegwijzer'); }
        });
        document.querySelectorAll('[aria-label="More tabs"]').forEach(el => {
            el.setAttribute('aria-label', 'Meer tabbladen');
        });
        const button = document.getElementById('wegwijzer-paneelknop');
        if (button && !button.hasAttribute('aria-controls')) {
            button.setAttribute('aria-controls', 'wegwijzer-paneel');
            button.setAttribute('aria-expanded', 'false');
        }
    };
    new MutationObserver(tidy).observe(document.body, {childList: true, subtree: true});
    tidy();
    const box = document.querySelector('#wegwijzer-vraag textarea');
    if (box && window.innerWidth >= MOBILE_BELOW_PX) { box.focus({preventScroll: true}); }
}""".replace("MOBILE_BELOW_PX", str(MOBILE_BELOW_PX))
# A new question: show it at the top, its answer streaming in below it.
ASKED_JS = """() => {
    setTimeout(() => {
        const asked = document.querySelectorAll('#wegwijzer-chat [data-testid="user"]');
        if (asked.length !== (window.wegwijzerAsked || 0)) {
            window.wegwijzerAsked = asked.length;
            if (asked.length && window.wegwijzerShow) { window.wegwijzerShow(asked[asked.length - 1]); }
        }
    }, 50);
    return [];
}"""
PANEL_JS = """() => {
    const panel = document.getElementById('wegwijzer-paneel');
    const button = document.getElementById('wegwijzer-paneelknop');
    const open = panel.classList.toggle('wegwijzer-open');
    button.setAttribute('aria-expanded', String(open));
    if (open) { panel.scrollIntoView({block: 'nearest'}); }
    return [];
}"""
# A complete answer: announce it, and scroll so that its start is in view.
ANSWERED_JS = """(text) => {
    const live = document.getElementById('wegwijzer-live');
    if (live && text) { live.textContent = text; }
    setTimeout(() => {
        const answers = document.querySelectorAll('#wegwijzer-chat [data-testid="bot"]');
        if (answers.length && window.wegwijzerShow) { window.wegwijzerShow(answers[answers.length - 1]); }
    }, 100);
    return [];
}"""
