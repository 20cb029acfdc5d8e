"""The accessibility statement (toegankelijkheidsverklaring): a page of the chat, linked from
its footer. It says what was tested and how, and what was not; tests/test_browser.py runs
those tests, and tests/test_chat.py checks that the version of axe-core named here is the one
tests/browser/package.json pins."""

from __future__ import annotations

STATEMENT_TITLE = "Toegankelijkheidsverklaring"
STATEMENT_PATH = "toegankelijkheid"
AXE_VERSION = "4.14.1"
VIEWPORTS = ("1280 × 800 pixels (computer)", "390 × 844 pixels (telefoon)")

STATEMENT = f"""# {STATEMENT_TITLE} Wegwijzer

Wegwijzer wil voor iedereen bruikbaar zijn, ook voor mensen die een schermlezer, alleen een
toetsenbord of een klein scherm gebruiken. Overheidswebsites moeten voldoen aan de
**WCAG 2.1 op niveau AA** (de Europese norm EN 301 549). Dat is ook de norm voor Wegwijzer.

## Wat we hebben getest, en hoe

Bij elke testronde (`make test`) draait een geautomatiseerde browsertest in Chromium (Playwright) op twee
schermformaten: {VIEWPORTS[0]} en {VIEWPORTS[1]}.

- **Automatische controle met axe-core {AXE_VERSION}.** De regels voor WCAG 2.0 en 2.1, niveau
  A en AA, worden toegepast op vier schermen: de lege chat, de chat na een antwoord, de chat met
  een geopende bron, en het tabblad Routekaart. Er mogen geen ernstige of kritieke bevindingen
  zijn. Deze controle omvat ook het kleurcontrast van tekst (minstens 4,5 : 1).
- **Bediening met alleen het toetsenbord.** De test gaat met Tab naar het invoerveld, typt een
  vraag, drukt op Enter, gaat met het toetsenbord naar het antwoord en de eerste bron, opent
  die bron en geeft een stem (duim omhoog). Bij elke stap moet de focus zichtbaar zijn.
- **Schermlezers.** Een antwoord verschijnt stukje voor stukje. Het wordt één keer voorgelezen,
  als het compleet is, via een `aria-live`-gebied. De test controleert dat dit gebied precies
  één keer per antwoord wordt gevuld, met het hele antwoord.
- **Kleine schermen.** Onder 800 pixels breed komen het gesprek en het invoerveld eerst, over
  de volle breedte. De zoekfilters en het stemmen met toelichting staan in een paneel dat u
  opent met de knop *Zoekfilters en uw mening*. De test controleert ook dat na een antwoord het
  begin van het antwoord in beeld staat en dat niets over de eerste regel van het gesprek ligt.
- **Citaten.** In een geopende bron zijn de zinnen die het antwoord eruit overneemt gemarkeerd
  (met een `mark`-element, dus ook herkenbaar voor hulpsoftware).

## Wat we niet hebben getest

- Er is **geen handmatige test met een schermlezer** gedaan (zoals NVDA, JAWS, VoiceOver of
  TalkBack), en geen test met spraakbediening.
- Er is **geen onderzoek door een onafhankelijke deskundige** en geen test met gebruikers met
  een beperking. Automatische controles vinden maar een deel van de mogelijke problemen.
- Vergroten tot 400 %, andere browsers dan Chromium en de donkere weergave zijn niet getest.
- Bevindingen van axe-core die als *matig* of *klein* gelden, laten de test niet falen.
- De publicaties zelf (de pdf-bestanden van de VNG Denktank) vallen buiten deze verklaring.

Wegwijzer voldoet daarom **nog niet aantoonbaar volledig** aan WCAG 2.1 AA: wat hierboven
staat, is getest; de rest is niet onderzocht.

## Een probleem melden

Loopt u tegen een probleem aan? Meld het bij de beheerder van deze Wegwijzer. U kunt ook bij
een antwoord op *duim omlaag* klikken en in de toelichting schrijven wat er misging.
"""
