"""The Dutch words of the chat: title, introduction, example questions, messages."""

from __future__ import annotations

TITLE = "Wegwijzer"
INTRO = (
    "Stel uw vraag over de publicaties van de VNG Denktank *Werkende samenwerking* (2018). "
    "Wegwijzer antwoordt alleen met wat in de publicaties staat en noemt bij elk antwoord de "
    "bronnen: publicatie, wegwijzer, onderdeel en pagina's. Klik op een bron om de passage te lezen."
)
EXAMPLE_QUESTIONS = (
    "Hoe betrek ik de gemeenteraad bij regionale samenwerking?",
    "Wat is een attractieve agenda?",
    "Wat vertelt de UWV-voorzitter over cijfers en feiten?",
    "Wat kan ik als raadslid doen om grip te houden op regionale samenwerking?",
    "Waarom is kennis van het netwerk belangrijk?",
)
PLACEHOLDER = (
    "<p><strong>Welkom bij Wegwijzer.</strong> Nieuw in de raad of als wethouder? Stel hieronder "
    "een vraag over regionale samenwerking, of kies een voorbeeldvraag. Vervolgvragen zoals "
    "<em>'en wat zegt het onderzoek daarover?'</em> kunnen ook. Wegwijzer antwoordt alleen met "
    "wat in de publicaties staat, met de bronnen erbij.</p>"
)
INDEX_UNREACHABLE = (
    "De index is op dit moment niet bereikbaar. Probeer het over een paar minuten opnieuw; aan "
    "uw vraag ligt het niet."
)
GENERIC_ERROR = (
    "Er ging iets mis bij het beantwoorden van uw vraag. Probeer het nog eens of stel de vraag "
    "anders. De fout is vastgelegd voor de beheerder."
)
BAD_INPUT = ("Een invoerwaarde in dit verzoek heeft niet de goede vorm of staat niet in de "
             "keuzelijst. Welke invoer elk eindpunt verwacht, staat op /gradio_api/info.")
ALL_PUBLICATIONS = "Alle publicaties"
ALL_WEGWIJZERS = "Alle wegwijzers"
# The button that opens the filters and the feedback on a small screen (theme.PANEL_JS).
PANEL_BUTTON = "Zoekfilters en uw mening"
