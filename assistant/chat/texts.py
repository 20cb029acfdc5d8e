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
BAD_INPUT = ("Een invoerwaarde in dit verzoek heeft niet de goede vorm of staat niet in de "
             "keuzelijst. Welke invoer elk eindpunt verwacht, staat op /gradio_api/info.")
ALL_PUBLICATIONS = "Alle publicaties"
ALL_WEGWIJZERS = "Alle wegwijzers"
# The button that opens the filters and the feedback on a small screen (theme.PANEL_JS).
PANEL_BUTTON = "Zoekfilters en uw mening"

# Feedback (records.judge_vote).
VOTE_STORED = "Bedankt! Uw stem ({thumb}) is opgeslagen."
VOTE_CHANGED = ("Uw stem is gewijzigd in {thumb} en opgeslagen; alleen deze stem telt. Wijzigen kan "
                "één keer per antwoord.")
VOTE_ALREADY = ("U heeft al gestemd op dit antwoord ({thumb}); er is niets nieuws opgeslagen. Per "
                "antwoord telt één stem. Van gedachten veranderd? Klik dan één keer op de andere "
                "duim.")
VOTE_ALREADY_CHANGED = ("U heeft uw stem op dit antwoord al gewijzigd ({thumb}); er is niets nieuws "
                        "opgeslagen. Per antwoord telt één stem, die u één keer kunt wijzigen.")
VOTE_WITHDRAWN = ("Uw stem is op het scherm ingetrokken; de opgeslagen stem blijft bewaard. Wilt u "
                  "haar laten verwijderen, vraag het dan de beheerder.")
VOTE_WITHDRAWN_NOTHING_STORED = "Uw stem is ingetrokken; er was nog niets opgeslagen."
VOTE_UNLINKED = "Deze stem kon niet aan een antwoord worden gekoppeld."
VOTE_NOT_SAVED = "Uw stem kon niet worden opgeslagen. Probeer het later nog eens."


def comment_too_long(length: int, limit: int) -> str:
    return (f"Uw toelichting is te lang ({length} tekens; maximaal {limit}). Maak haar korter en "
            f"klik dan opnieuw op de duim; er is niets opgeslagen.")
