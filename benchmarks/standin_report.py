"""A realistic stand-in for the NSOB / Erasmus research report 'Werkende samenwerking' (2018).

The real 260-page PDF may not be committed, so tests and benchmarks generate this one instead:
roman front matter (title, colophon, 'Inhoud', 'Voorwoord'), arabic body labels that differ
from the physical page numbers, parts, chapters, sections and subsections at known pages,
running heads and footers, footnotes, one two-column page, one table, hyphenated line ends and
a few hand-written facts per section, so questions can target one section only. Everything is
set line by line here (fpdf2 neither hyphenates nor reports where text lands), and the result
says where each heading, footnote and hyphen ended up. Deterministic for equal arguments.

Usage: `python benchmarks/standin_report.py OUT.pdf [--no-outline] [--pages N]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

TITLE = "Werkende samenwerking"
SUBTITLE = ("Handelingsopties van gemeenten voor het versterken van regionale economie en "
            "arbeidsmarkt")
AUTHORS = ("Martijn van der Steen", "Geert Teisman", "Jitske van Popering-Verkerk",
           "Petra Ophoff", "Arwin van Buuren", "Astrid Molenveld")
CREATED = dt.datetime(2018, 6, 1, 12, 0, tzinfo=dt.UTC)
FULL_SIZE = 260
TABLE_SECTION = "9.1"
LEFT, TOP, BOTTOM, WIDTH, GUTTER = 25.0, 27.0, 268.0, 160.0, 8.0  # mm on A4
LINE, NOTE_LINE, PARA_GAP = 4.6, 3.6, 1.8

# The report's structure: "number title | planned pages" (the plan is written for 260 pages and
# scaled for other sizes); indented lines are the section's facts. "-" is the unnumbered chapter.
PLAN = """\
- Samenvatting | 4.55
A Opgaven en handelingsopties
1 Werken aan de arbeidsmarkt | 1
1.1 Lokaal bestuur: werken aan werk | .55
  Sinds de Participatiewet van 2015 begeleiden gemeenten ruim 430.000 mensen naar werk.
  In onze enquête onder 212 wethouders noemde 71 procent werk de belangrijkste lokale opgave.
1.2 Een mismatch op de arbeidsmarkt | 1.5
  In 2017 stonden er 244.000 vacatures open, terwijl 438.000 mensen werkloos waren.
  In de techniek kwamen in 2017 op elke werkzoekende 2,4 openstaande vacatures.
1.2.1 Tekorten en overschotten | 4
1.2.2 Een kwalitatieve mismatch | 4
1.2.3 Regionale verschillen | 4
1.3 Vraagstelling | 2.5
  De centrale vraag is welke handelingsopties gemeenten hebben om de regio te versterken.
  Het onderzoek liep van september 2017 tot april 2018 en omvatte 64 interviews.
  De VNG Denktank koos vijf regio's op spreiding over het land en op hun samenwerkingsvorm.
2 Sturen in netwerken | .6
2.1 Van hiërarchie naar netwerk | 5
  Het begrip netwerksturing werd in de Nederlandse bestuurskunde rond 1995 gangbaar.
  In 1998 telde Nederland nog 548 gemeenten, twintig jaar later waren dat er 380.
2.2 Vier sturingsperspectieven | 1.4
  De NSOB onderscheidt sinds 2013 vier perspectieven, van rechtmatig tot participerend.
  Van de raadsleden herkende 58 procent vooral het presterende perspectief in de eigen gemeente.
2.2.1 Rechtmatige overheid | 1.8
2.2.2 Presterende overheid | 1.8
2.2.3 Netwerkende overheid | 1.8
2.2.4 Participerende overheid | 1.8
2.3 Regie zonder zeggenschap | 5.3
  Een wethouder in de Achterhoek noemde regie 'anderen laten werken zonder de leiding te verliezen'.
  In 23 van de 35 arbeidsmarktregio's heeft geen enkele partij formeel de leiding.
2.4 Spelregels voor samenwerking | 5.3
  De gemeenten in de regio Foodvalley legden in 2016 hun spelregels vast in zeven artikelen.
  Volgens 44 procent van de respondenten gaan conflicten vooral over de verdeling van kosten.
2.5 Schaal en maat van de regio | 4.75
  Een gemiddelde gemeente nam in 2018 deel aan 32 samenwerkingsverbanden.
  In de Kempen bleek een regio van vijf gemeenten te klein voor een eigen werkgeversservicepunt.
3 Legitimiteit en democratische verankering | .5
3.1 Het democratisch tekort van regio's | 5.5
  Slechts 12 procent van de raadsleden kent de besluiten van de gemeenschappelijke regelingen.
  De Raad voor het openbaar bestuur waarschuwde in 2015 voor verlengd lokaal bestuur.
3.2 Rollen van de gemeenteraad | 1.5
  In Holland Rijnland kwamen raadsleden van dertien gemeenten in 2017 vier keer regionaal bijeen.
  Raadsleden besteden gemiddeld 2,5 uur per maand aan regionale dossiers.
3.2.1 Kaders stellen | 2.5
3.2.2 Controleren | 2.5
3.2.3 Volksvertegenwoordigen | 2.5
3.3 Verantwoording in een netwerk | 5
  De gemeente Deventer voerde in 2016 een regionale paragraaf in haar begroting in.
  Van de onderzochte samenwerkingsverbanden publiceerde maar een op de vijf een jaarverslag.
3.4 Publieke waarde zichtbaar maken | 5
  Noord-Limburg maakt sinds 2017 een jaarlijkse monitor met 18 indicatoren voor werk en economie.
  Publieke waarde gaat volgens Moore over wat burgers zelf als waardevol ervaren.
3.5 Burgers en bedrijven als partners | 4.55
  In Amersfoort denken sinds 2016 negen ondernemers mee in een regionaal klankbordpanel.
  Een burgerpanel in de Hoeksche Waard verdeelde in 2017 1,2 miljoen euro over projecten.
4 Handelingsopties voor gemeenten | .55
4.1 Agenderen en agenda's delen | 5.5
  De Economische Agenda Utrecht 2016-2020 werd door alle 26 gemeenten ondertekend.
  Wie zelf een agenda opstelt, vindt die twee keer zo vaak terug in de regionale plannen.
4.2 Verbinden van partijen | 5.5
  In Midden-Brabant bemiddelt een regionale makelaar sinds 2015 jaarlijks 140 stages.
  Verbinden kost de gesproken wethouders gemiddeld een dag per week aan overleg.
4.3 Investeren in de regio | 5.5
  Hart van Brabant stak tussen 2014 en 2017 27 miljoen euro in een regionaal investeringsfonds.
  Een bijdrage van 5 euro per inwoner is de gangbare maat voor een gezamenlijk fonds.
4.4 Organiseren van uitvoering | 5.5
  In Rivierenland voert een dienst met 85 medewerkers de Participatiewet uit voor acht gemeenten.
  Shared service centra leverden volgens een evaluatie uit 2016 gemiddeld 7 procent besparing op.
4.5 Leren en bijsturen | 5
  West-Brabant houdt sinds 2017 twee keer per jaar een leersessie om projecten bij te stellen.
  Van de 31 bekeken regionale projecten werd maar een op de zes tussentijds geëvalueerd.
B Regio's in de praktijk
5 Twente: vakmanschap als opgave | .55
5.1 Een regio met een maakindustrie | 6
  In Twente werkt 19 procent van de beroepsbevolking in de industrie, tegen 11 procent landelijk.
  De Universiteit Twente en het ROC van Twente leveren jaarlijks ruim 4.000 technici af.
5.2 Het Twents Fonds voor Vakmanschap | 7
  In 2017 werkten veertien gemeenten samen in het Twents Fonds voor Vakmanschap: 12 miljoen euro.
  Het fonds financierde tot 2018 ruim 1.900 opleidingsplaatsen in de metaal en de techniek.
5.3 De rol van de veertien gemeenten | 6
  Enschede en Hengelo brengen samen bijna de helft van de gemeentelijke bijdrage aan het fonds op.
  De wethouders economie van de veertien gemeenten vergaderen zes keer per jaar in de Twenteraad.
5.4 Resultaten en knelpunten | 6
  Van de deelnemers aan het fonds had 83 procent een half jaar later een vaste baan.
  Tubbergen en Dinkelland voelen zich volgens de interviews onvoldoende gehoord.
6 Drechtsteden: samenwerking als gewoonte | .55
6.1 Een sterke gemeenschappelijke regeling | 6
  De Drechtsteden werken sinds 2005 samen in een regeling van zeven gemeenten met 270.000 inwoners.
  De Sociale Dienst Drechtsteden had in 2017 een budget van 160 miljoen euro.
6.2 De Drechtraad | 6
  De Drechtraad telt 72 raadsleden uit de deelnemende gemeenten.
  Sinds 2014 bereidt een commissie van elf leden de besluiten over werk en inkomen voor.
6.3 Werk en inkomen in de Drechtsteden | 7
  In 2017 vonden 1.350 bijstandsgerechtigden werk via het Werkgeversservicepunt Drechtsteden.
  Het aantal bijstandsuitkeringen in de regio daalde tussen 2015 en 2017 met 6 procent.
6.4 Spanning tussen efficiency en invloed | 6
  Een raadslid uit Papendrecht noemde de Drechtsteden 'efficiënt, maar ver weg'.
  Een evaluatie uit 2016 becijferde de jaarlijkse besparing van de samenwerking op 9 miljoen euro.
7 Regio Zwolle: een netwerk zonder centrum | .55
7.1 Groei van een netwerkregio | 5
  De Regio Zwolle groeide van 12 deelnemende gemeenten in 2012 naar 22 gemeenten in 2018.
  De regio telt ongeveer 700.000 inwoners, verdeeld over vier provincies.
7.2 Het Zwolse model van agenderen | 1.5
  Sinds 2015 stellen werkgevers, onderwijs en overheid samen de Human Capital Agenda vast.
  De Human Capital Agenda telde in 2017 elf actielijnen, waarvan vier over de zorg.
7.2.1 Triple helix in de praktijk | 3
7.2.2 Een vaste tafel voor werkgevers | 3
7.3 Over provinciegrenzen heen | 6.5
  Gemeenten uit vier provincies ondertekenden in 2016 de Zwolse regioverklaring.
  Overijssel en Gelderland betalen samen 800.000 euro per jaar voor het regiobureau.
7.4 Wat de raden ervan vinden | 6
  Raadsleden in de Regio Zwolle krijgen sinds 2017 vier keer per jaar een regionale raadsbrief.
  Op de eerste regionale raadsledendag in Kampen kwamen 180 raadsleden af.
8 Rotterdam-Rijnmond en Groningen | .55
8.1 Rotterdam-Rijnmond: haven en arbeidsmarkt | 7
  In het Rotterdamse havengebied werkten in 2017 ongeveer 180.000 mensen.
  Het Havenbedrijf verwacht dat de energietransitie tot 2030 zo'n 10.000 banen verandert.
8.2 Leren en werken in de haven | 6.5
  Op de RDM-campus in Heijplaat leren sinds 2009 zo'n 2.500 studenten techniek in bedrijven.
  Het programma Haven Werkt bracht in 2017 ruim 600 jongeren naar een baan in de logistiek.
8.3 Groningen: krimp en nieuwe economie | 7
  In Oost-Groningen daalde het aantal inwoners tussen 2007 en 2017 met 7 procent.
  Het Zernike-complex in Groningen huisvest ruim 90 kennisintensieve bedrijven.
8.4 De Economic Board Groningen | 6.5
  De Economic Board Groningen werd in 2015 opgericht en heeft een bestuur van negen leden.
  Het programma van de Nationaal Coördinator reserveerde 50 miljoen euro voor vernieuwing.
8.5 Twee regio's vergeleken | 6
  Rotterdam-Rijnmond stuurt vooral via grote partners, Groningen via een breed gedragen board.
  In beide regio's heeft meer dan 10 procent van de jongeren geen startkwalificatie.
9 Lessen voor gemeenten | .55
9.1 Vijf regio's naast elkaar | 7
  Van de vijf regio's kent alleen de Drechtsteden een regionaal orgaan van raadsleden.
  Twente en Groningen besteden samen meer dan 60 miljoen euro aan regionale fondsen.
9.2 Lessen over sturing | 7
  Regie werkt alleen als een partij de samenwerking dagelijks onderhoudt.
  In alle vijf regio's bleek een vast regiobureau de belangrijkste succesfactor.
9.3 Lessen voor raadsleden | 7
  Wij raden raadsleden aan om jaarlijks een regionaal debat te voeren over werk en economie.
  Een raad die vooraf kaders stelt, krijgt twee keer zo vaak invloed op de uitkomst.
9.4 Tot slot: werkende samenwerking | 7
  Werkende samenwerking is geen structuur maar een praktijk die elke dag opnieuw ontstaat.
  Dit jaarbericht verschijnt samen met een essay van de VNG Denktank over de regio.
"""
TABLE = (("Regio", "Gemeenten", "Inwoners", "Vorm van samenwerking", "Sinds"),
         ("Twente", "14", "627.000", "Netwerk met fonds", "2013"),
         ("Drechtsteden", "7", "270.000", "Gemeenschappelijke regeling", "2005"),
         ("Regio Zwolle", "22", "700.000", "Netwerkregio", "2012"),
         ("Rotterdam-Rijnmond", "15", "1.300.000", "Metropoolregio", "2014"),
         ("Groningen", "23", "585.000", "Economic Board", "2015"))

# Filler prose: '{t}' is the heading's title, {k}/{k2} words from it, {a} a kind of partner.
ABOUT = ["Bij het thema '{t}' gaat het niet alleen om beleid, maar ook om uitvoering.",
         "Het woord '{k}' valt in de interviews opvallend vaak.",
         "Respondenten verbinden '{k}' nadrukkelijk met de vraag wie waarvoor verantwoordelijk is.",
         "Over '{k}' bestaan in de regio uiteenlopende opvattingen, ook binnen één gemeente.",
         "Juist bij '{k}' blijkt hoe afhankelijk gemeenten zijn van {a}.",
         "Wat '{t}' betekent voor de rol van de gemeenteraad, is minder duidelijk.",
         "Voor '{k}' bestaat geen blauwdruk die in elke regio werkt.",
         "Verschillende {a} wijzen erop dat '{k}' geen vanzelfsprekendheid is.",
         "Wie '{t}' serieus neemt, moet over de eigen gemeentegrens heen kijken.",
         "In de praktijk krijgt '{k}' vorm in talloze kleine afspraken met {a}.",
         "Zo bezien is '{k}' eerder een werkwijze dan een afgebakend beleidsterrein.",
         "Bestuurders noemen '{k}' vaak in één adem met '{k2}'."]
GENERIC = ["Gemeenten zijn daarbij zelden de enige partij aan tafel.",
           "Werkgevers, scholen en gemeenten kijken elk vanuit hun eigen belang naar de regio.",
           "Dat vraagt om bestuurders die kunnen schakelen tussen sturen en loslaten.",
           "In de gesprekken die wij voerden, kwam dit beeld steeds terug.",
           "De regionale samenwerking is daarmee geen doel op zich, maar een middel.",
           "Voor de gemeenteraad is het lastig om zicht te houden op wat er in de regio gebeurt.",
           "Het gaat om een werkbare verhouding tussen tempo en zorgvuldigheid.",
           "Samenwerkingsverbanden groeien vaak organisch en krijgen pas later een formele vorm.",
           "Dat maakt de verantwoordelijkheid van gemeenten niet kleiner, wel anders.",
           "Wie alleen naar de eigen gemeente kijkt, mist de dynamiek van de regionale economie.",
           "De werkgelegenheid in de regio hangt af van keuzes die op veel plaatsen vallen.",
           "Vertrouwen tussen {a} kost tijd en kan snel verloren gaan.",
           "Beleidsinstrumenten werken pas als partners ze ook daadwerkelijk gebruiken.",
           "Niet elke regio heeft dezelfde bestuurskracht of dezelfde traditie van samenwerking.",
           "Onderwijsinstellingen spelen een sleutelrol bij de aansluiting op de arbeidsmarkt.",
           "Ondernemersverenigingen zijn in sommige regio's sterk georganiseerd, elders niet.",
           "Daarmee ontstaat het beeld van een arbeidsmarkt die voortdurend in beweging is.",
           "Kennisinstellingen leveren vooral analyses, maar nemen soms ook zelf het initiatief.",
           "Ook {a} zoeken naar een rol die past bij hun mogelijkheden.",
           "De gemeenteraad wil invloed, maar wil de samenwerking ook niet voor de voeten lopen."]
PARTNERS = ["werkgevers", "onderwijsinstellingen", "provincies", "wethouders", "raadsleden",
            "ondernemers", "kennisinstellingen", "uitvoeringsorganisaties", "vakbonden"]
SOURCES = ["Zie CBS (2017), Arbeidsmarktprognoses.", "Zie SER (2017), Werk in de regio.",
           "Zie Van der Steen e.a. (2015), Sturen in netwerken.", "Zie UWV (2017), Regio in beeld.",
           "Zie Teisman (2005), Publiek management op de grens van chaos en orde.",
           "Zie Rob (2015), Wisselwerking.", "Zie VNG (2016), Van samenwerking naar samenspel.",
           "Interview met een wethouder, november 2017.", "Zie WRR (2017), Weten is nog geen doen."]
OPENINGS = {0: "Deze samenvatting bundelt de bevindingen van ons onderzoek naar {t}.",
            1: "Dit hoofdstuk gaat over '{t}'.", 2: "Deze paragraaf gaat over '{t}'.",
            3: "In deze subparagraaf staat '{t}' centraal."}
PROPER = {"Twente", "Drechtsteden", "Regio", "Rotterdam-Rijnmond", "Groningen"}
STOP = {"tussen", "zonder", "elkaar", "naast", "heen", "over", "voor", "werken", "en", "van",
        "in", "op", "als", "veertien"}
# Where long words may be broken: the part before the hyphen.
HYPHENS = {w.replace("-", ""): w.index("-") for w in (
    "samen-werking samen-werkingsverbanden arbeids-markt arbeids-marktregio werk-gelegenheid "
    "werk-gevers gemeente-raad gemeente-grens onderwijs-instellingen beleids-instrumenten "
    "bestuurs-kracht verantwoordelijk-heid ondernemers-verenigingen kennis-instellingen "
    "uitvoerings-organisaties beleids-terrein vanzelf-sprekendheid").split()}


@dataclass(frozen=True)
class Heading:
    level: int        # 0 Deel, 1 chapter (also the unnumbered 'Samenvatting'), 2 section, 3 sub
    number: str       # "A", "1", "1.2", "1.2.3"; "" for an unnumbered chapter
    title: str        # without its number
    printed: str      # exactly as printed in the body
    page_start: int   # printed page where it starts
    page_end: int     # last printed page holding any of its text (subsections included)
    physical: int     # 1-based physical page where it starts


@dataclass(frozen=True)
class StandIn:
    path: Path
    outline: bool
    labels: tuple[str, ...]              # printed label per physical page
    headings: tuple[Heading, ...]        # in reading order
    furniture: frozenset[str]            # running heads and footers as printed
    footnotes: dict[int, tuple[str, ...]]  # printed page -> footnote lines, number first
    two_column_page: int
    table_page: int
    hyphenated: tuple[tuple[str, int], ...]  # (whole word, printed page of the break)
    facts: dict[str, tuple[str, ...]]    # section number -> its fact sentences
    # section or chapter number ('Samenvatting' for the unnumbered one) -> its running text,
    # paragraphs joined by blank lines; no headings, footnotes, marks, table or caption
    text: dict[str, str]


@dataclass
class _Item:
    level: int
    number: str
    title: str
    length: float  # planned pages of its own text at full size
    facts: list[str]

    @property
    def printed(self) -> str:
        if self.level == 0:
            return f"Deel {self.number}"
        separator = ". " if self.level == 1 else " "
        return f"{self.number}{separator}{self.title}" if self.number else self.title


def _plan(pages: int) -> list[_Item]:
    """PLAN parsed; fewer chapters for a smaller report (the first of A, the last of B)."""
    items: list[_Item] = []
    for line in PLAN.splitlines():
        if line.startswith("  "):
            items[-1].facts.append(line.strip())
            continue
        head, _, length = line.partition(" | ")
        number, title = head.split(" ", 1)
        level = 0 if number.isalpha() else 1 if number == "-" else number.count(".") + 1
        items.append(_Item(level, number.strip("-"), title, float(length or 0), []))
    parts: dict[str, list[str]] = {"A": [], "B": []}
    part = "A"
    for item in items:
        part = item.number if item.level == 0 else part
        if item.level == 1 and item.number:
            parts[part].append(item.number)
    total = len(parts["A"]) + len(parts["B"])
    n = max(2, min(total, round(total * pages / FULL_SIZE)))
    from_a = min(len(parts["A"]), math.ceil(n / 2))
    keep = set(parts["A"][:from_a]) | set(parts["B"][len(parts["B"]) - (n - from_a):])
    return [i for i in items if i.level == 0 or not i.number or i.number.split(".")[0] in keep]


def _targets(items: list[_Item], pages: int, front: int) -> list[float]:
    """Where each heading's text should stop, in printed pages (see _Writer.position).

    The plan fits 260 pages; other sizes scale it. A chapter ends halfway down a page."""
    chapters = sum(1 for i in items if i.level == 1)
    parts = sum(1 for i in items if i.level == 0)
    scale = round((pages - front - parts - 0.45 * chapters) / sum(i.length for i in items), 3)
    at, out = 1.0, []
    for k, item in enumerate(items):
        if item.level <= 1:
            at = math.ceil(at - 1e-6)  # parts and chapters start on a new page
        at += 1 if item.level == 0 else max(item.length * scale, 0.3)
        mid_page = k + 1 < len(items) and items[k + 1].level >= 2
        out.append(at if mid_page else math.ceil(at - 1e-6) - 0.45)
    return out


def _topic(item: _Item) -> str:
    title = item.title if item.number else TITLE
    return title if title.split()[0].strip(":") in PROPER else title[0].lower() + title[1:]


def _keywords(topic: str) -> list[str]:
    """The title's nouns, roughly: long words, leaving out an adjective before its noun."""
    if topic == TITLE.lower():
        return ["samenwerking", "regionale economie", "arbeidsmarkt", "handelingsopties"]
    words = topic.split()
    return [w.strip(":,") for k, w in enumerate(words) if len(w.strip(":,")) >= 5
            and w.lower() not in STOP and not (w.endswith("e") and k + 1 < len(words)
                                               and words[k + 1] not in STOP)] or [topic]


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        out, n = out + digits * (n // value), n % value
    return out


class _Prose:
    """Deterministic Dutch filler around each heading's facts, now and then with a footnote."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.last, self.notes = rng, "", 0

    def sentence(self, topic: str, taken: list[str]) -> str:
        keys = _keywords(topic)
        while True:
            key = self.rng.choice(keys)
            text = self.rng.choice(ABOUT if self.rng.random() < 0.4 else GENERIC).format(
                t=topic, k=key, k2=self.rng.choice([k for k in keys if k != key] or ["regio"]),
                a=self.rng.choice(PARTNERS))
            if text not in taken and text != self.last:
                self.last = text
                return text

    def paragraph(self, topic: str, facts: list[str], opening: str = "",
                  notes: bool = True) -> list[tuple[str, str]]:
        """(sentence, footnote line or "") pairs: 60-150 words, facts at random places."""
        target, sentences = self.rng.randint(60, 130), [opening] if opening else []
        while (words := sum(len(s.split()) for s in sentences)) < target:
            extra = self.sentence(topic, sentences)
            if words + len(extra.split()) > 150 - 25 * len(facts):
                break
            sentences.append(extra)
        fillers = sentences[1 if opening else 0:]  # a footnote mark never interrupts a fact
        for fact in facts:
            sentences.insert(self.rng.randint(1 if opening else 0, len(sentences)), fact)
        marked = [(s, "") for s in sentences]
        if fillers and notes and self.rng.random() < 0.1:
            self.notes += 1
            k = sentences.index(self.rng.choice(fillers))
            marked[k] = (sentences[k], f"{self.notes} {self.rng.choice(SOURCES)}")
        return marked


class _Writer:
    """Sets the text line by line, so it knows where every heading, note and hyphen lands."""

    def __init__(self, outline: bool) -> None:
        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_margins(LEFT, TOP, 210 - LEFT - WIDTH)  # pdf.table() follows the margins
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(CREATED)
        self.pdf.set_title(TITLE)
        self.pdf.set_author(", ".join(AUTHORS))
        self.outline = outline
        self.labels: list[str] = []
        self.furniture: set[str] = set()
        self.footnotes: dict[int, tuple[str, ...]] = {}
        self.hyphenated: list[tuple[str, int]] = []
        self.notes: list[str] = []  # footnote lines of the current page
        self.widths: dict[tuple, float] = {}
        self.footer, self.running = "", ""
        self.body = self.last = 0  # the printed page; the last printed page with text on it
        self.y, self.col, self.cols = TOP, 0, 1
        self.two_column_at = self.two_column_page = self.table_page = 0

    def new_page(self, kind: str = "body", overflow: bool = False) -> None:
        """kind: 'plain' (no furniture), 'numbered' (footer only), 'part' or 'body'."""
        self.finish_page()
        self.pdf.add_page()
        if kind in ("plain", "numbered"):
            label = _roman(len(self.labels) + 1)
            if not self.labels:
                self.pdf.set_page_label("r")
        else:
            self.body += 1
            label = str(self.body)
            if self.body == 1:
                self.pdf.set_page_label("D", label_start=1)
        self.labels.append(label)
        self.y, self.col, self.cols = TOP, 0, 1
        self.footer = label if kind in ("numbered", "body") else ""
        if overflow and not self.two_column_page and 0 < self.two_column_at <= self.body:
            self.cols, self.two_column_page = 2, self.body  # the one page set in two columns
        if kind == "body":
            head = TITLE if self.body % 2 == 0 else self.running
            self.pdf.set_font("Helvetica", "I", 8.5)
            self.pdf.text(LEFT if self.body % 2 == 0 else LEFT + WIDTH - self.width(head),
                          TOP - 9, head)
            self.pdf.line(LEFT, TOP - 7, LEFT + WIDTH, TOP - 7)
            self.furniture.add(head)

    def finish_page(self) -> None:
        if self.notes:
            top = BOTTOM - len(self.notes) * NOTE_LINE
            self.pdf.line(LEFT, top - 1.5, LEFT + 40, top - 1.5)
            self.pdf.set_font("Times", "", 8)
            for k, note in enumerate(self.notes):
                self.pdf.text(LEFT, top + k * NOTE_LINE + 2.8, note)
            self.footnotes[self.body], self.notes = tuple(self.notes), []
        if self.footer:
            self.pdf.set_font("Helvetica", "", 9)
            self.pdf.text(LEFT + (WIDTH - self.width(self.footer)) / 2, 284, self.footer)
            self.furniture.add(self.footer)

    def limit(self, extra_notes: int = 0) -> float:
        notes = len(self.notes) + extra_notes
        return BOTTOM - (notes * NOTE_LINE + 3 if notes else 0)

    def next_column(self) -> None:
        if self.cols == 2 and self.col == 0:
            self.col, self.y = 1, TOP
        else:
            self.new_page(overflow=True)

    def position(self) -> float:
        """Where the text has got to, in printed pages (7.5 is halfway down page 7)."""
        return self.body + (self.col + (self.y - TOP) / (BOTTOM - TOP)) / self.cols

    def width(self, text: str) -> float:
        key = (self.pdf.font_family, self.pdf.font_style, self.pdf.font_size_pt, text)
        if key not in self.widths:
            self.widths[key] = self.pdf.get_string_width(text)
        return self.widths[key]

    def break_line(self, words: list[tuple[str, str]], width: float, hyphenate: bool):
        """The words that fit on one line, the rest, and the word hyphenated at its end."""
        used, space = 0.0, self.width(" ")
        for k, (word, note) in enumerate(words):
            need = self.width(word) + (space if k else 0) + (2.0 if note else 0)
            if used + need <= width or k == 0:
                used += need
                continue
            core = word.rstrip(".,;:'")
            cut = HYPHENS.get(core.lower()) if hyphenate and not note else None
            # Only where the line would otherwise stay visibly short, as a typesetter would.
            head = word[:cut] + "-" if cut else ""
            if cut and used < 0.85 * width and used + space + self.width(head) <= width:
                return words[:k] + [(head, "")], [(word[cut:], "")] + words[k + 1:], core
            return words[:k], words[k:], None
        return words, [], None

    def paragraph(self, sentences: list[tuple[str, str]], hyphenate: bool = True) -> None:
        """Set (sentence, footnote) pairs as one paragraph, breaking columns and pages."""
        words = [(w, note if k == len(s.split()) - 1 else "") for s, note in sentences
                 for k, w in enumerate(s.split())]
        while words:
            if self.y + LINE > self.limit():
                self.next_column()
            self.pdf.set_font("Times", "", 10)  # after the break: a new page sets its head's font
            x = LEFT + self.col * ((WIDTH + GUTTER) / 2)
            width = WIDTH if self.cols == 1 else (WIDTH - GUTTER) / 2
            # No hyphen on a column's last line, nor where a note could push the next line away.
            line, rest, cut = self.break_line(
                words, width, hyphenate and self.y + 2 * LINE <= self.limit(1))
            notes = [note for _, note in line if note]
            if notes and self.y + LINE > self.limit(len(notes)):
                self.next_column()  # a footnote goes on the page of its mark
                continue
            run: list[str] = []
            for word, note in line:  # the mark is set small and raised after its word
                run.append(word)
                if note:
                    self.pdf.text(x, self.y + 3.5, text := " ".join(run))
                    x += self.width(text)
                    self.pdf.set_font("Times", "", 6)
                    self.pdf.text(x, self.y + 2.1, mark := note.split()[0])
                    x += self.width(mark)
                    self.pdf.set_font("Times", "", 10)
                    run = [""]
            if " ".join(run):
                self.pdf.text(x, self.y + 3.5, " ".join(run))
            self.notes += notes
            self.hyphenated += [(cut, self.body)] if cut else []
            words, self.y, self.last = rest, self.y + LINE, self.body
        self.y += PARA_GAP

    def plain(self, text: str, y: float, style: tuple, step: float) -> float:
        """Unhyphenated lines on the front pages; returns the y below them."""
        self.pdf.set_font(*style)
        words = [(w, "") for w in text.split()]
        while words:
            line, words, _ = self.break_line(words, WIDTH, False)
            self.pdf.text(LEFT, y, " ".join(w for w, _ in line))
            y += step
        return y

    def heading(self, item: _Item) -> tuple[int, int]:
        """Set a heading where it belongs; returns its printed and physical page."""
        if item.level == 0:
            self.new_page("part")
            top = 105.0
            self.plain(item.printed, top + 10, ("Helvetica", "B", 28), 0)
            self.plain(item.title, top + 24, ("Helvetica", "", 16), 0)
        elif item.level == 1:
            self.running = item.printed
            self.new_page()
            top, self.y = TOP + 10, TOP + 28
            self.plain(item.printed, top + 6.5, ("Helvetica", "B", 18), 0)
        else:
            size, style, before, height = (13, "B", 5, 6.5) if item.level == 2 else (
                11, "BI", 3, 5.5)
            self.y += before if self.y > TOP else 0
            if self.cols == 2 or self.y + height + 3 * LINE > self.limit():
                self.new_page()  # keep the heading with its text; none in narrow columns
            top, self.y = self.y, self.y + height + 1.5
            self.plain(item.printed, top + height * 0.75, ("Helvetica", style, size), 0)
        assert self.width(item.printed) <= WIDTH, item.printed  # one line, always
        if self.outline:  # 'Samenvatting' precedes the parts, so it is a top-level bookmark
            self.pdf.set_y(top)
            self.pdf.start_section(item.printed, item.level if item.number else 0)
        self.last = self.body
        return self.body, len(self.labels)

    def table(self) -> None:
        if self.cols == 2 or self.y + 10 + 6 * len(TABLE) > self.limit():
            self.new_page()
        self.plain("Tabel 1. De vijf onderzochte regio's", self.y + 4, ("Helvetica", "B", 9), 0)
        self.pdf.set_y(self.y + 6.5)
        self.pdf.set_font("Times", "", 9)
        with self.pdf.table(col_widths=(34, 16, 20, 46, 12), line_height=5.5,
                            text_align="LEFT") as table:
            for row in TABLE:
                cells = table.row()
                for value in row:
                    cells.cell(value)
        self.y, self.table_page, self.last = self.pdf.y + 4, self.body, self.body

    def front_matter(self, prose: _Prose, toc_levels: list[int]) -> tuple[list[int], str]:
        """Title page, colophon, reserved 'Inhoud' pages, 'Voorwoord' and a blank verso."""
        self.new_page("plain")
        self.plain(TITLE, 75, ("Helvetica", "B", 30), 0)
        y = self.plain(SUBTITLE, 90, ("Helvetica", "", 15), 7.5)
        self.plain("Jaarbericht 2018 Onderzoeksbijlage", y + 12, ("Helvetica", "B", 12), 0)
        self.plain(", ".join(AUTHORS), y + 30, ("Helvetica", "", 10), 5)
        for y, line in ((250, "Juni 2018"), (257, "NSOB | Erasmus Universiteit Rotterdam")):
            self.plain(line, y, ("Helvetica", "", 11), 0)
        self.new_page("plain")
        y = self.plain("Colofon", 45, ("Helvetica", "B", 14), 10)
        for line in (f"{TITLE}. {SUBTITLE}.", "Jaarbericht 2018 Onderzoeksbijlage", "",
                     "Auteurs:", *AUTHORS, "", "Nederlandse School voor Openbaar Bestuur (NSOB)",
                     "Erasmus Universiteit Rotterdam", "", "In opdracht van de VNG Denktank",
                     "Den Haag, juni 2018", "", "\xa9 2018 NSOB en Erasmus Universiteit Rotterdam"):
            y = self.plain(line, y, ("Times", "", 10), 5) if line else y + 4
        toc_pages = []
        for k in range(_toc_layout(toc_levels)[-1][0] + 1):
            self.new_page("numbered")
            toc_pages.append(len(self.labels))
            if k == 0:
                self.plain("Inhoud", TOP + 12, ("Helvetica", "B", 18), 0)
        self.new_page("numbered")
        self.plain("Voorwoord", TOP + 16, ("Helvetica", "B", 18), 0)
        self.y = TOP + 26
        for _ in range(3):
            self.paragraph(prose.paragraph(TITLE.lower(), [], notes=False), hyphenate=False)
        y = self.plain("Martijn van der Steen en Geert Teisman", self.y + 6, ("Times", "I", 10), 5)
        self.plain("Den Haag en Rotterdam, juni 2018", y, ("Times", "I", 10), 5)
        voorwoord = self.labels[-1]
        if len(self.labels) % 2:
            self.new_page("plain")  # the body starts on a right-hand page
        return toc_pages, voorwoord

    def write_toc(self, toc_pages: list[int], rows: list[tuple[int, str, str]]) -> None:
        """Fill the reserved pages, now that every heading's printed page is known."""
        for (level, text, page), (k, y) in zip(rows, _toc_layout([r[0] for r in rows])):
            if self.pdf.page != toc_pages[k]:
                self.pdf.page = toc_pages[k]
                self.pdf.current_font_is_set_on_page = False  # as add_page() would
            self.pdf.set_font(*{0: ("Helvetica", "B", 10.5), 1: ("Helvetica", "B", 10),
                                2: ("Times", "", 10), 3: ("Times", "I", 10)}[level])
            indent = (0, 0, 8, 16)[level]
            dots = int((WIDTH - indent - self.width(f"{text}  {page}")) / self.width("."))
            self.pdf.text(LEFT + indent, y, f"{text} {'.' * dots} {page}")
        self.pdf.page = len(self.labels)


def _toc_layout(levels: list[int]) -> list[tuple[int, float]]:
    """(reserved page index, baseline) per table-of-contents row."""
    page, y, out = 0, TOP + 26, []
    for level in levels:
        step = 5.2 + (4 if level == 0 else 1.5 if level == 1 else 0)
        if y + step > BOTTOM:
            page, y = page + 1, TOP + 4
        y += step
        out.append((page, y))
    return out


def _write(writer: _Writer, prose: _Prose, item: _Item, target: float) -> str:
    """Paragraphs under one heading until its facts are out and the target is reached."""
    topic, facts, paragraphs = _topic(item), list(item.facts), []
    while not paragraphs or facts or writer.position() < target:
        opening = "" if paragraphs else OPENINGS[item.level if item.number else 0].format(t=topic)
        sentences = prose.paragraph(topic, facts[:2], opening)
        del facts[:2]
        writer.paragraph(sentences)
        paragraphs.append(" ".join(s for s, _ in sentences))
        if len(paragraphs) == 1 and item.number == TABLE_SECTION:
            writer.table()
    return "\n\n".join(paragraphs)


def build(path: Path, *, outline: bool = True, pages: int = FULL_SIZE, seed: int = 2018) -> StandIn:
    """Write the stand-in PDF to `path` and say where everything in it is."""
    items = _plan(pages)
    writer, prose = _Writer(outline), _Prose(random.Random(seed))
    rows = [(1, "Voorwoord")] + [(i.level, f"{i.printed} {i.title}" if i.level == 0 else i.printed)
                                 for i in items]
    toc_pages, voorwoord = writer.front_matter(prose, [level for level, _ in rows])
    front = len(writer.labels)
    writer.two_column_at = round(0.6 * (pages - front))
    records: list[list] = []  # item, printed start, physical start, printed end
    text: dict[str, str] = {}
    for item, target in zip(items, _targets(items, pages, front)):
        for record in records:  # a heading ends where the next one of its level or higher starts
            if record[3] is None and record[0].level >= item.level:
                record[3] = writer.last
        records.append([item, *writer.heading(item), None])
        if item.level:
            text[item.number or item.title] = _write(writer, prose, item, target)
    writer.finish_page()
    writer.write_toc(toc_pages, [(level, label, page) for (level, label), page in
                                 zip(rows, [voorwoord] + [str(r[1]) for r in records])])
    writer.pdf.output(str(path))
    headings = tuple(Heading(i.level, i.number, i.title, i.printed, start, end or writer.last,
                             physical) for i, start, physical, end in records)
    return StandIn(Path(path), outline, tuple(writer.labels), headings,
                   frozenset(writer.furniture), writer.footnotes, writer.two_column_page,
                   writer.table_page, tuple(writer.hyphenated),
                   {i.number: tuple(i.facts) for i in items if i.facts}, text)


REPORT_ID = "onderzoeksrapport-2018-werkende-samenwerking"
# The block corpus/publications.toml shows a maintainer for the real report.
MANIFEST = f"""
[[publication]]
id = "{REPORT_ID}"
title = "{TITLE}. {SUBTITLE}"
short_title = "Onderzoeksrapport '{TITLE}'"
kind = "onderzoeksrapport"
publisher = "NSOB / Erasmus Universiteit Rotterdam"
date = "2018-06"
file = "{REPORT_ID}.pdf"
"""


def add_to_corpus(corpus_dir: Path, *, outline: bool = True, pages: int = FULL_SIZE) -> StandIn:
    """Put the stand-in into a copy of the corpus as the research report, the way a maintainer
    adds the real one: its PDF in the folder and its block in publications.toml."""
    standin = build(corpus_dir / f"{REPORT_ID}.pdf", outline=outline, pages=pages)
    with (corpus_dir / "publications.toml").open("a", encoding="utf-8") as manifest:
        manifest.write(MANIFEST)
    return standin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Maak een nagebootst NSOB-rapport 'Werkende samenwerking' (2018) als PDF.")
    parser.add_argument("uitvoer", type=Path, help="waar de PDF komt")
    parser.add_argument("--no-outline", action="store_true", help="zonder bladwijzers")
    parser.add_argument("--pages", type=int, default=FULL_SIZE,
                        help=f"ongeveer zoveel pagina's (standaard {FULL_SIZE})")
    args = parser.parse_args(argv)
    standin = build(args.uitvoer, outline=not args.no_outline, pages=args.pages)
    count = {level: sum(1 for h in standin.headings if h.level == level and h.number)
             for level in (1, 2)}
    print(f"{args.uitvoer}: {len(standin.labels)} pagina's, {count[1]} hoofdstukken, "
          f"{count[2]} paragrafen, {'met' if standin.outline else 'zonder'} bladwijzers.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
