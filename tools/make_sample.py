#!/usr/bin/env python3
"""Generate qnet's small CoNLL-2003-format named-entity sample (src/tagger/sample/{train,valid}.txt).

Newswire-like documents about sports, business and politics in the four-column CoNLL-2003 English layout
(token, Penn Treebank POS tag, IOB2 phrase chunk, IOB2 entity tag over PER, ORG, LOC, MISC), embedded in the
crate with include_str! for the `conll_ner` example and the tagger tests. Every name (people, organisations,
places, events) and every sentence template here was invented for qnet; nothing is copied from CoNLL-2003,
Reuters or any other corpus (a few real country and city names such as "France" appear as vocabulary). The
validation file uses the same templates with another random stream and draws some entities from held-out lists,
so that about 30% of its entity mentions never occur in training.

Usage, from the crate root (python3 standard library only, deterministic): python3 tools/make_sample.py
"""
import os
import random
import re
from collections import Counter

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "tagger", "sample")
REUSE = 0.6   # chance an unbound slot reuses an entity already mentioned in the document
HELD = 0.25   # chance a new entity in the validation file comes from the held-out list

# kind: (entity type, shared names, held-out names). Tokens default to NNP; "word/TAG" overrides the tag.
POOLS = {
    "ATH": ("PER", "Tomas Brenner; Luka Halvorsen; Jörg Müller; Andrés Quintal; Marek Dvorin; Pieter van Leest;"
            "Kofi Amankwah; Yusuf Demirel; Ravi Menon; Carlos Ibarde; Teodoro; Marinho; Niall Frost; Dario Banks;"
            "Ivan Stone; Emma Carlow; Sofia Lindqvist; Hana Ferreira; Mia Kovalenko; Lotte Brandvik; Aiko Tanabe;"
            "Chloe Marsh; Nadia Orlova; Femi Adeyemi; Oscar Young", "Bruno Castellan; Erik Valstad; Mateo Rinaldi;"
            "Jonas Ekberg; Priya Raman; Tilde Havn; Kenji Morioka; Lucas Hope; Inês Barreto; Zeferino"),
    "POL": ("PER", "Anton Kessler; Margit Vallen; Henrik Dahlgren; Victor Amsel; Elena Rostova; Samuel Oduya;"
            "Paolo Ferrante; Irena Kowal; Gustav Lindt; Amara Nwosu; Rafael Corvo; Helga Strand; Omar Haddad;"
            "Simon Hale; Teresa Bright", "Dmitri Volkan; Agnes Thorvald; Bernard Okafor; Lucía Menendez;"
            "Yannick Morel; Ruth Fairweather"),
    "EXEC": ("PER", "Anna Holt; Martin Greaves; Claire Dunmore; Rolf Eckhardt; Linda Park; Hugo Sterling;"
             "Yuki Arakawa; Stefan Brandt; Olivia Reyes; Peter Cole; Grace Banks",
             "Henry Waldmann; Marta Silvek; Conrad Ashby; Leila Farouk; Tobias Kern"),
    "CO": ("ORG", "Norvex Corp; Baltrin Holdings; Kestrel Motors; Aldane Group; Sorvik Energy; Meridane Bank;"
           "Tollgate Systems; Halcyon Foods; Vantor Steel; Pellam Airways; Crestline Telecom; Ubrix;"
           "Quorvane Pharma; Dremmel &/CC Sons/NNPS; Valdoria Mining",
           "Zentara Mining; Ombrel Inc; Fallow Ridge Capital; Torvald Shipping; Kessland Rail"),
    "INST": ("ORG", "Central Bank of/IN Valdoria; Kessland Finance Ministry; Miravel Central Bank;"
             "Tarsemian Reserve Board; Norvale Trade Office", "Bank of/IN Halvenia; Quessa Monetary Authority"),
    "EXCH": ("ORG", "Valdoria Stock Exchange; Port Essen Bourse; Kessland Exchange", "Miravel Stock Exchange"),
    "INTL": ("ORG", "United Nations/NNPS; Council of/IN Northern States/NNPS; Coastal Trade Union;"
             "International Monetary Fund", "Southern Defence League; Red Cross"),
    "PARTY": ("ORG", "Valdorian Democratic Party; Kessland Labour Party; National Unity Front; Green Alliance;"
              "Miravel People 's/POS Party", "Reform Movement; Tarsemian Liberal Party"),
    "CLUB": ("ORG", "Port Essen Rovers/NNPS; Lindholm City; Vasra United; Kelmont Athletic; Brenvik FC;"
             "Dunmere Wanderers/NNPS; Real Arvessa; Tallow Bay Harriers/NNPS; Ostrel Sporting; New Carrow Albion",
             "Kirrin Town; Vellmouth Rangers/NNPS; Fort Almand FC"),
    "CITY": ("LOC", "Port Essen; Lindholm; Vasra; Kelmont; Santa Orla; São Meiro; Brenvik; Tallow Bay; Ostrel;"
             "New Carrow; Dunmere; Arvessa; New York; Hong Kong", "Fort Almand; Kirrin; Vellmouth; San Torel; Göttmar"),
    "COUNTRY": ("LOC", "Valdoria; Kessland; Miravel; Tarsemia; Norvale; Belgaria; Quessa; Halvenia; Estmark;"
                "Sundria; North Vessia; France; Japan; Brazil; Canada", "Oskara; Trevania; Lothmar; Caldessa; Peru"),
    "EVENT": ("MISC", "Northern Cup; Valdoria Open; Coastal Games/NNPS; Essen Marathon; Kessland Grand Prix;"
              "Tour of/IN Miravel; Harbour Trophy; World Cup", "Meridian Classic; Sundrian Masters; Lakes Rally"),
    "SUMMIT": ("MISC", "Northern Summit; Lindholm Accord; Coastal Forum", "Vasra Declaration"),
    "INDEX": ("MISC", "Valdex 40/CD; KSX Composite; Essen All-Share", "Miravel 100/CD"),
    "LANG": ("MISC", "English; Valdorian; Kesslandic; Quessari", "Vessic"),
}
NATS = ("Valdoria=Valdorian; Kessland=Kesslandic; Miravel=Miravelian; Tarsemia=Tarsemian; Norvale=Norvalese;"
        "Belgaria=Belgarian; Quessa=Quessari; Halvenia=Halvenian; Estmark=Estmarkish; Sundria=Sundrian;"
        "North Vessia=North/NNP Vessian; France=French; Japan=Japanese; Brazil=Brazilian; Canada=Canadian;"
        "Oskara=Oskaran; Trevania=Trevanian; Lothmar=Lothmari; Caldessa=Caldessan; Peru=Peruvian")
USED = Counter()  # how often each entity was chosen as new in the file being generated
TITLES = [[("President", "NNP")], [("Prime", "NNP"), ("Minister", "NNP")], [("Senator", "NNP")], [("Minister", "NNP")]]
DAYS, MONTHS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(), "January March April June July September October November".split()


def parse_names(spec, default="NNP"):
    return [tuple((w.partition("/")[0], w.partition("/")[2] or default) for w in name.split())
            for name in filter(None, (n.strip() for n in spec.split(";")))]


POOLS = {k: (t, parse_names(s), parse_names(h)) for k, (t, s, h) in POOLS.items()}
NAT = {parse_names(c)[0]: parse_names(a, "JJ")[0] for c, a in (p.split("=") for p in NATS.split(";"))}

R = random.randint
FILL = {
    "N": lambda: [(str(R(2, 30)), "CD")], "SEATS": lambda: [(str(R(120, 400)), "CD")],
    "G": lambda: [(str(R(0, 4)), "CD")], "MIN": lambda: [(str(R(3, 89)), "CD")],
    "BIGN": lambda: [(f"{R(2, 60)},{R(0, 999):03d}", "CD")], "HIGH": lambda: [(f"{R(41, 88)}.{R(1, 9)}", "CD")],
    "PCT": lambda: [(f"{R(0, 12)}.{R(1, 9)}", "CD")], "PRICE": lambda: [(f"{R(1, 300)}.{R(0, 99):02d}", "CD")],
    "MONEY": lambda: [(f"{R(1, 900)}.{R(1, 9)}", "CD"), (random.choice(["million", "billion"]), "CD")],
    "CUR": lambda: [(random.choice(["dollars", "crowns", "francs", "dinars"]), "NNS")],
    "SCORE": lambda: [((lambda a: f"{a}-{R(0, a - 1)}")(R(1, 4)), "CD")],
    "TSCORE": lambda: [(random.choice(["6-3", "6-4", "7-5", "6-2", "7-6", "6-1", "4-6", "3-6"]), "CD")],
    "DAY": lambda: [(random.choice(DAYS), "NNP")], "MONTH": lambda: [(random.choice(MONTHS), "NNP")],
    "YEAR": lambda: [(str(R(1971, 1994)), "CD")], "SECS": lambda: [(f"{R(9, 10)}.{R(10, 99)}", "CD")],
    "MINUTE": lambda: [(random.choice(["12th", "23rd", "38th", "41st", "57th", "64th", "72nd", "88th"]), "JJ")],
    "NDAY": lambda: [(random.choice(["two-day", "three-day", "four-day"]), "JJ")],
}

# Templates: segments separated by " | ", each "CHUNK word/POS ... {SLOT} ..."; chunk O means outside any phrase.
# Slots: {KIND}, {KIND<n>} (bound to one entity for the whole document), {KIND*} (surname only), {T} (the
# document's team kind), {TPOL} (politician, titled on first mention), {NAT<n>} (adjective of COUNTRY<n>).
HEAD = {
    "soccer": ["NP soccer/NN | O -/: | NP {T1} | VP beat/VBD | NP {T2} {SCORE} | O ./.",
               "NP soccer/NN | O -/: | NP {T1} | VP held/VBN | PP by/IN | NP {T2} | O ./.",
               "NP soccer/NN | O -/: | NP {ATH1} | VP rescues/VBZ | NP point/NN | PP for/IN | NP {T1} | O ./.",
               "NP soccer/NN | O -/: | NP {T1} | VP sack/VBP | NP coach/NN | PP after/IN | NP {T2} defeat/NN"],
    "solo": ["NP tennis/NN | O -/: | NP {ATH1} | VP beats/VBZ | NP {ATH2} | PP in/IN | NP {CITY1} | O ./.",
             "NP athletics/NNS | O -/: | NP {ATH1} | VP sets/VBZ | NP {NAT1} record/NN | O ./.",
             "NP cycling/NN | O -/: | NP {ATH1} | VP takes/VBZ | NP lead/NN | PP in/IN | NP {EVENT1} | O ./.",
             "NP golf/NN | O -/: | NP {ATH1} | VP leads/VBZ | PP by/IN | NP two/CD | PP at/IN | NP {EVENT1}"],
    "business": ["NP {CO1} first-half/JJ profit/NN | VP rises/VBZ | NP {PCT} pct/NN | O ./.",
                 "NP {CO1} | VP to/TO buy/VB | NP stake/NN | PP in/IN | NP {CO2}",
                 "NP {NAT1} shares/NNS | VP close/VBP | ADVP higher/RBR | PP on/IN | NP {CO1} news/NN",
                 "NP {INST1} | VP holds/VBZ | NP rates/NNS | ADJP steady/JJ | O ./.",
                 "NP {CO1} | VP cuts/VBZ | NP {BIGN} jobs/NNS | PP in/IN | NP {CITY1} | O ./."],
    "politics": ["NP {COUNTRY1} | O and/CC | NP {COUNTRY2} | VP sign/VBP | NP trade/NN pact/NN | O ./.",
                 "NP {NAT1} president/NN | VP calls/VBZ | NP early/JJ election/NN | O ./.",
                 "NP {POL1} | VP wins/VBZ | NP party/NN vote/NN | PP in/IN | NP {COUNTRY1} | O ./.",
                 "NP protests/NNS | PP in/IN | NP {CITY1} | PP over/IN | NP fuel/NN prices/NNS",
                 "NP {INTL1} | VP urges/VBZ | NP calm/NN | PP in/IN | NP {COUNTRY1} | O ./."],
}
BODY = {
    "soccer": [
        "NP {T1} | VP beat/VBD | NP {T2} {SCORE} | PP in/IN | NP a/DT {EVENT} qualifier/NN | PP on/IN | NP {DAY} | O ./.",
        "NP {ATH} | VP scored/VBD | NP the/DT winner/NN | PP in/IN | NP the/DT {MINUTE} minute/NN | PP for/IN | NP {T1} | O ./.",
        "NP {T2} | VP had/VBD equalised/VBN | PP through/IN | NP {ATH} | PP before/IN | NP half-time/NN | O ./.",
        "NP The/DT {NAT} striker/NN | O ,/, | NP who/WP | VP joined/VBD | NP {CLUB} | PP from/IN | NP {CLUB} | PP in/IN | NP {MONTH} | O ,/, | VP said/VBD | NP he/PRP | VP was/VBD | ADJP delighted/JJ | O ./.",
        'O "/" | NP We/PRP | VP deserved/VBD | NP the/DT three/CD points/NNS | O ,/, | O "/" | VP said/VBD | NP {T1} coach/NN {ATH} | O ./.',
        "NP {CLUB} | VP moved/VBD | PP into/IN | NP second/JJ place/NN | PP in/IN | NP the/DT {NAT} league/NN | O ,/, | NP {N} points/NNS | PP behind/IN | NP leaders/NNS {CLUB} | O ./.",
        "NP {ATH} | O ,/, | NP who/WP | VP came/VBD | PRT on/RP | PP as/IN | NP a/DT substitute/NN | PP for/IN | NP {ATH} | PP after/IN | NP {N} minutes/NNS | O ,/, | VP set/VBD | PRT up/RP | NP {T1} 's/POS second/JJ goal/NN | O and/CC | ADVP then/RB | VP hit/VBD | NP the/DT post/NN | PP in/IN | NP stoppage/NN time/NN | O ./.",
        "NP {T2} | VP are/VBP | NP bottom/NN | PP of/IN | NP the/DT table/NN | PP with/IN | NP {N} points/NNS | PP from/IN | NP {N} games/NNS | O ./.",
        "NP {ATH} | VP was/VBD sent/VBN | PRT off/RP | PP in/IN | NP the/DT {MINUTE} minute/NN | PP for/IN | NP a/DT second/JJ bookable/JJ offence/NN | O ./.",
        "NP {T1} | VP meet/VBP | NP {T2} | PP in/IN | NP {CITY} | PP on/IN | NP {DAY} | O ./.",
        "NP {T1} | VP will/MD be/VB | PP without/IN | NP veteran/JJ defender/NN {ATH} | O ,/, | NP who/WP | VP is/VBZ suspended/VBN | O ./.",
        "NP {T1} coach/NN {ATH} | VP said/VBD | NP the/DT side/NN | VP had/VBD been/VBN | ADJP unlucky/JJ | O ,/, | VP pointing/VBG | PP to/IN | NP two/CD penalty/NN appeals/NNS | SBAR that/IN | NP the/DT {NAT} referee/NN | VP turned/VBD | PRT down/RP | PP in/IN | NP the/DT closing/VBG minutes/NNS | PP of/IN | NP the/DT {EVENT} tie/NN | PP in/IN | NP {CITY} | O ./.",
        "NP Scorers/NNS | O :/: | NP {ATH*} {MIN} | O ,/, | NP {ATH*} {MIN}"],
    "solo": [
        "NP {ATH1} | VP beat/VBD | NP {ATH2} {TSCORE} {TSCORE} | PP in/IN | NP the/DT second/JJ round/NN | PP of/IN | NP the/DT {EVENT1} | PP on/IN | NP {DAY} | O ./.",
        "NP {ATH} | O ,/, | NP the/DT defending/VBG champion/NN | O ,/, | VP was/VBD knocked/VBN | PRT out/RP | PP by/IN | NP qualifier/NN {ATH} | PP of/IN | NP the/DT {CO} team/NN | O ./.",
        "NP {ATH1} | VP clocked/VBD | NP {SECS} seconds/NNS | PP in/IN | NP the/DT 100/CD metres/NNS | PP at/IN | NP the/DT {EVENT1} | PP in/IN | NP {CITY1} | O ./.",
        "NP The/DT 24-year-old/JJ {NAT1} | VP has/VBZ won/VBN | NP {N} titles/NNS | NP this/DT season/NN | O ./.",
        'O "/" | NP I/PRP | VP felt/VBD | ADJP strong/JJ | PP from/IN | NP the/DT start/NN | O ,/, | O "/" | VP said/VBD | NP {ATH1} | O ,/, | NP who/WP | VP trains/VBZ | PP in/IN | NP {CITY} | O ./.',
        "NP {ATH1} | VP leads/VBZ | NP the/DT overall/JJ standings/NNS | PP by/IN | NP {N} seconds/NNS | PP from/IN | NP {ATH2} | O and/CC | NP {ATH} | PP of/IN | NP the/DT {CO} team/NN | O ./.",
        "NP {ATH} | O ,/, | NP who/WP | VP missed/VBD | NP most/JJS | PP of/IN | NP last/JJ season/NN | PP with/IN | NP a/DT knee/NN injury/NN | O ,/, | VP needed/VBD | NP just/RB {N} minutes/NNS | VP to/TO beat/VB | NP {NAT} {ATH} | PP in/IN | NP the/DT first/JJ round/NN | PP at/IN | NP {CITY1} | O ./.",
        "NP {ATH} | VP withdrew/VBD | PP from/IN | NP the/DT {EVENT} | PP with/IN | NP a/DT wrist/NN injury/NN | O ./.",
        "NP {ATH1} | O ,/, | NP who/WP | VP turned/VBD | ADJP professional/JJ | PP in/IN | NP {YEAR} | O ,/, | VP said/VBD | NP the/DT win/NN | VP was/VBD | NP the/DT best/JJS | PP of/IN | NP a/DT career/NN | NP that/WDT | VP has/VBZ included/VBN | NP {N} titles/NNS | PP on/IN | NP three/CD continents/NNS | O and/CC | NP a/DT silver/NN medal/NN | PP at/IN | NP the/DT {EVENT} | O ./.",
        "NP {ATH2} | VP won/VBD | NP the/DT {EVENT} | ADVP last/JJ year/NN | O ./."],
    "business": [
        "NP {CO1} | VP said/VBD | PP on/IN | NP {DAY} | NP its/PRP$ net/JJ profit/NN | VP rose/VBD | NP {PCT} percent/NN | PP to/IN | NP {MONEY} {CUR} | PP in/IN | NP the/DT first/JJ half/NN | O ./.",
        "NP {CO1} | VP agreed/VBD to/TO buy/VB | NP a/DT {N} percent/NN stake/NN | PP in/IN | NP {CO2} | PP for/IN | NP {MONEY} {CUR} | O ,/, | NP the/DT companies/NNS | VP said/VBD | PP in/IN | NP a/DT joint/JJ statement/NN | O ./.",
        "NP {EXEC1} | O ,/, | NP chief/JJ executive/NN | PP of/IN | NP {CO1} | O ,/, | VP told/VBD | NP reporters/NNS | PP in/IN | NP {CITY1} | SBAR that/IN | NP demand/NN | PP from/IN | NP {NAT} customers/NNS | VP remained/VBD | ADJP strong/JJ | O ./.",
        "NP Shares/NNS | PP in/IN | NP {CO1} | VP closed/VBD | NP {PCT} percent/NN | ADVP higher/RBR | PP at/IN | NP {PRICE} {CUR} | PP on/IN | NP the/DT {EXCH} | O ./.",
        "NP The/DT {INDEX} index/NN | VP fell/VBD | NP {PCT} points/NNS | PP to/IN | NP {BIGN} | PP in/IN | NP thin/JJ trading/NN | O ./.",
        "NP The/DT {INST1} | VP left/VBD | NP its/PRP$ key/JJ lending/NN rate/NN | ADJP unchanged/JJ | PP at/IN | NP {PCT} percent/NN | O ,/, | VP citing/VBG | NP slowing/VBG inflation/NN | O ./.",
        'O "/" | NP We/PRP | VP expect/VBP | NP a/DT difficult/JJ second/JJ half/NN | O ,/, | O "/" | VP said/VBD | NP {CO1} finance/NN director/NN {EXEC2} | O ./.',
        "NP {CO2} | O ,/, | VP based/VBN | PP in/IN | NP {CITY} | O ,/, | VP employs/VBZ | NP about/RB {BIGN} people/NNS | PP in/IN | NP {COUNTRY} | O and/CC | NP {COUNTRY} | O ./.",
        "NP The/DT deal/NN | VP would/MD strengthen/VB | NP {CO1} 's/POS position/NN | PP in/IN | NP {COUNTRY} | O ,/, | VP said/VBD | NP analysts/NNS | PP at/IN | NP {CO} | O ./.",
        "NP {CO1} | VP plans/VBZ to/TO list/VB | NP its/PRP$ shares/NNS | PP in/IN | NP {CITY} | ADVP later/RB | NP this/DT year/NN | O ,/, | NP {EXEC1} | VP said/VBD | O ./.",
        "NP {CO1} | O ,/, | NP which/WDT | VP makes/VBZ | NP steel/NN pipes/NNS | PP for/IN | NP the/DT oil/NN industry/NN | O ,/, | VP said/VBD | NP orders/NNS | PP from/IN | NP {COUNTRY} | O and/CC | NP {COUNTRY} | VP had/VBD fallen/VBN | PP by/IN | NP {PCT} percent/NN | PP in/IN | NP the/DT six/CD months/NNS | PP to/IN | NP {MONTH} | O ./.",
        "NP {EXEC1} | VP said/VBD | NP the/DT {NAT} market/NN | VP accounted/VBD | PP for/IN | NP {N} percent/NN | PP of/IN | NP sales/NNS | O ./.",
        "NP The/DT statement/NN | O ,/, | VP issued/VBN | PP in/IN | NP {LANG} | O and/CC | NP {LANG} | O ,/, | VP gave/VBD | NP no/DT details/NNS | PP of/IN | NP the/DT price/NN | O ./."],
    "politics": [
        "NP {TPOL1} | VP said/VBD | PP on/IN | NP {DAY} | SBAR that/IN | NP {COUNTRY1} | VP would/MD hold/VB | NP talks/NNS | PP with/IN | NP {COUNTRY2} | PP in/IN | NP {CITY} | NP next/JJ month/NN | O ./.",
        "NP The/DT {PARTY} | VP won/VBD | NP {N} | PP of/IN | NP the/DT {SEATS} seats/NNS | PP in/IN | NP the/DT {NAT1} parliament/NN | O ./.",
        "NP {POL} | O ,/, | NP who/WP | VP heads/VBZ | NP the/DT {PARTY} | O ,/, | VP accused/VBD | NP the/DT government/NN | PP of/IN | VP ignoring/VBG | NP the/DT {NAT} minority/NN | PP in/IN | NP {CITY1} | O ./.",
        "NP Thousands/NNS | PP of/IN | NP people/NNS | VP marched/VBD | PP through/IN | NP central/JJ {CITY1} | PP on/IN | NP {DAY} | VP to/TO protest/VB | PP against/IN | NP fuel/NN price/NN rises/NNS | O ./.",
        "NP The/DT {INTL} | VP called/VBD | PP on/IN | NP both/DT sides/NNS | VP to/TO respect/VB | NP the/DT ceasefire/NN | PP along/IN | NP the/DT border/NN | PP between/IN | NP {COUNTRY1} | O and/CC | NP {COUNTRY2} | O ./.",
        'O "/" | NP This/DT | VP is/VBZ | NP a/DT historic/JJ day/NN | PP for/IN | NP {COUNTRY1} | O ,/, | O "/" | NP {TPOL1} | VP told/VBD | NP a/DT news/NN conference/NN | PP in/IN | NP {CITY1} | O ./.',
        "NP {TPOL} | VP arrived/VBD | PP in/IN | NP {CITY} | PP on/IN | NP {DAY} | PP for/IN | NP a/DT {NDAY} visit/NN | PP to/IN | NP {COUNTRY} | O ./.",
        "NP The/DT {NAT1} foreign/JJ minister/NN | O ,/, | NP {POL} | O ,/, | VP said/VBD | NP the/DT {INTL} | VP should/MD play/VB | NP a/DT bigger/JJR role/NN | PP in/IN | NP the/DT region/NN | O ./.",
        "NP {POL1} | VP is/VBZ expected/VBN to/TO meet/VB | NP {NAT2} leaders/NNS | PP at/IN | NP the/DT {SUMMIT} | PP in/IN | NP {CITY} | O ./.",
        "NP Police/NNS | VP said/VBD | NP {N} people/NNS | VP were/VBD injured/VBN | PP in/IN | NP clashes/NNS | PP near/IN | NP the/DT parliament/NN building/NN | PP in/IN | NP {CITY1} | O ./.",
        "NP {POL1} | O ,/, | NP whose/WP$ {PARTY} | VP lost/VBD | NP its/PRP$ majority/NN | PP in/IN | NP {MONTH} | O ,/, | VP said/VBD | NP the/DT government/NN | VP would/MD seek/VB | NP the/DT support/NN | PP of/IN | NP smaller/JJR parties/NNS | PP before/IN | VP presenting/VBG | NP the/DT budget/NN | PP to/IN | NP parliament/NN | PP on/IN | NP {DAY} | O ./.",
        "NP The/DT {SUMMIT} | VP was/VBD signed/VBN | PP by/IN | NP {N} countries/NNS | PP including/VBG | NP {COUNTRY} | O ,/, | NP {COUNTRY} | O and/CC | NP {COUNTRY} | O ./.",
        "NP {POL2} | O ,/, | NP a/DT former/JJ {NAT1} ambassador/NN | PP to/IN | NP the/DT {INTL} | O ,/, | VP announced/VBD | NP a/DT bid/NN | PP for/IN | NP the/DT presidency/NN | O ./.",
        "NP {TPOL} | VP told/VBD | NP parliament/NN | PP in/IN | NP {CITY1} | SBAR that/IN | NP the/DT government/NN | VP would/MD not/RB raise/VB | NP taxes/NNS | NP this/DT year/NN | O ,/, | O but/CC | NP critics/NNS | PP from/IN | NP the/DT {PARTY} | O and/CC | NP the/DT {NAT1} business/NN lobby/NN | VP said/VBD | NP the/DT budget/NN | VP did/VBD not/RB add/VB | PRT up/RP | O ./.",
        "NP State/NN radio/NN | VP broadcast/VBD | NP the/DT speech/NN | PP in/IN | NP {LANG} | O ./."],
}
NONE = {
    "soccer": ["NP The/DT match/NN | VP was/VBD delayed/VBN | PP for/IN | NP {N} minutes/NNS | PP because/IN of/IN | NP heavy/JJ rain/NN | O ./.",
               "NP The/DT home/NN side/NN | VP dominated/VBD | NP possession/NN | O but/CC | VP failed/VBD to/TO convert/VB | NP their/PRP$ chances/NNS | O ./.",
               "NP The/DT second/JJ leg/NN | VP will/MD be/VB played/VBN | NP next/JJ week/NN | O ./.", "NP The/DT 21-year-old/JJ midfielder/NN | VP limped/VBD | PRT off/RP | PP with/IN | NP a/DT hamstring/NN injury/NN | PP after/IN | NP {N} minutes/NNS | O ./.",
               "NP Both/DT goals/NNS | VP came/VBD | PP from/IN | NP corners/NNS | O ./.", "NP Attendance/NN | O :/: | NP {BIGN}"],
    "solo": ["NP Play/NN | VP was/VBD suspended/VBN | PP for/IN | NP two/CD hours/NNS | PP because/IN of/IN | NP rain/NN | O ./.",
             "NP The/DT final/JJ | VP will/MD be/VB played/VBN | PP on/IN | NP {DAY} | O ./.",
             "NP Temperatures/NNS | VP reached/VBD | NP {N} degrees/NNS | O ,/, | VP forcing/VBG | NP organisers/NNS | VP to/TO delay/VB | NP the/DT start/NN | O ./.",
             "NP The/DT 21-year-old/JJ | VP has/VBZ not/RB dropped/VBN | NP a/DT set/NN | PP in/IN | NP the/DT tournament/NN | O ./."],
    "business": ["NP Turnover/NN | VP rose/VBD | NP {PCT} percent/NN | PP to/IN | NP {MONEY} {CUR} | O ./.",
                 "NP Traders/NNS | VP said/VBD | NP the/DT market/NN | VP was/VBD | ADJP nervous/JJ | PP ahead/RB of/IN | NP the/DT inflation/NN data/NNS | O ./.",
                 "NP Banks/NNS | VP raised/VBD | NP their/PRP$ lending/NN rates/NNS | PP by/IN | NP a/DT quarter/NN point/NN | O ./.",
                 "NP Net/JJ profit/NN | NP {MONEY} | PP vs/IN | NP {MONEY}", "NP Earnings/NNS | PP per/IN | NP share/NN | VP were/VBD | NP {PRICE} {CUR} | O ,/, | ADVP up/RB | PP from/IN | NP {PRICE} | O ./.",
                 "NP The/DT dollar/NN | VP eased/VBD | PP against/IN | NP most/JJS currencies/NNS | PP in/IN | NP early/JJ trade/NN | O ./.",
                 "NP Volume/NN | VP was/VBD | ADJP light/JJ | PP at/IN | NP {BIGN} shares/NNS | O ./.", "NP Gold/NN | VP closed/VBD | PP at/IN | NP {PRICE} {CUR} | NP an/DT ounce/NN | O ./.",
                 "NP The/DT company/NN | VP said/VBD | NP it/PRP | VP expected/VBD | NP full-year/JJ sales/NNS | VP to/TO rise/VB | PP by/IN | NP {PCT} percent/NN | O ,/, | PP despite/IN | NP weaker/JJR demand/NN | PP for/IN | NP its/PRP$ older/JJR products/NNS | O ./.",
                 "NP Sales/NNS | VP are/VBP expected/VBN to/TO grow/VB | PP by/IN | NP about/RB {N} percent/NN | NP next/JJ year/NN | O ./."],
    "politics": ["NP The/DT vote/NN | VP is/VBZ expected/VBN | PP in/IN | NP early/JJ {MONTH} | O ./.",
                 "NP Turnout/NN | VP was/VBD | NP {HIGH} percent/NN | O ,/, | NP officials/NNS | VP said/VBD | O ./.",
                 "NP No/DT one/NN | VP was/VBD hurt/VBN | PP in/IN | NP the/DT incident/NN | O ./.", "NP The/DT opposition/NN | VP has/VBZ rejected/VBN | NP the/DT proposal/NN | O ,/, | VP calling/VBG | NP it/PRP | ADJP unconstitutional/JJ | O ./.",
                 "NP Hope/NN | VP is/VBZ fading/VBG | PP for/IN | NP a/DT quick/JJ deal/NN | PP on/IN | NP the/DT budget/NN | O ./.",
                 "NP Young/JJ voters/NNS | VP backed/VBD | NP the/DT reform/NN | PP by/IN | NP a/DT wide/JJ margin/NN | O ./.",
                 "NP The/DT talks/NNS | VP ended/VBD | PP without/IN | NP agreement/NN | O ,/, | PP according/VBG to/TO | NP a/DT senior/JJ official/NN | O ./.",
                 "NP Parliament/NN | VP must/MD approve/VB | NP the/DT measure/NN | PP within/IN | NP {N} days/NNS | O ./."],
    "any": ["NP It/PRP | VP was/VBD | NP the/DT first/JJ time/NN | PP since/IN | NP {YEAR} | O ./.",
            "NP Details/NNS | VP were/VBD | ADJP not/RB immediately/RB available/JJ | O ./.", "NP The/DT statement/NN | VP gave/VBD | NP no/DT further/JJ details/NNS | O ./.",
            "NP No/DT decision/NN | VP has/VBZ been/VBN taken/VBN | ADVP yet/RB | O ,/, | NP a/DT spokesman/NN | VP said/VBD | O ./.",
            "NP The/DT figures/NNS | O ,/, | NP which/WDT | VP cover/VBP | NP the/DT three/CD months/NNS | PP to/IN | NP {MONTH} | O ,/, | ADVP broadly/RB | VP matched/VBD | NP market/NN forecasts/NNS | O ./.", "NP The/DT long-term/JJ outlook/NN | VP remains/VBZ | ADJP uncertain/JJ | PP because/IN of/IN | NP high/JJ interest/NN rates/NNS | O and/CC | NP weak/JJ consumer/NN spending/NN | O ./.",
            'O "/" | NP It/PRP | VP was/VBD | NP a/DT difficult/JJ day/NN | PP for/IN | NP everyone/NN | O ,/, | O "/" | NP she/PRP | VP said/VBD | O ./.',
            "NP Early/JJ frost/NN | VP damaged/VBD | NP much/JJ | PP of/IN | NP the/DT wheat/NN crop/NN | PP in/IN | NP the/DT north/NN | O ,/, | VP pushing/VBG | PRT up/RP | NP bread/NN prices/NNS | O ./.",
            "NP Further/JJ talks/NNS | VP are/VBP planned/VBN | PP for/IN | NP {MONTH} | O ,/, | O but/CC | NP no/DT date/NN | VP has/VBZ been/VBN set/VBN | PP for/IN | NP the/DT next/JJ round/NN | O ./.", "NP A/DT spokesman/NN | PP for/IN | NP the/DT ministry/NN | VP declined/VBD to/TO comment/VB | PP on/IN | NP the/DT report/NN | O ./.",
            "NP The/DT report/NN | O ,/, | VP prepared/VBN | PP by/IN | NP an/DT independent/JJ panel/NN | PP over/IN | NP the/DT past/JJ {N} months/NNS | O ,/, | VP recommended/VBD | NP a/DT gradual/JJ cut/NN | PP in/IN | NP public/JJ spending/NN | O and/CC | NP a/DT review/NN | PP of/IN | NP the/DT pension/NN system/NN | O ./.",
            "NP Officials/NNS | VP said/VBD | NP the/DT new/JJ rules/NNS | VP would/MD take/VB | NP effect/NN | PP at/IN | NP the/DT start/NN | PP of/IN | NP next/JJ year/NN | O and/CC | VP would/MD be/VB reviewed/VBN | ADVP annually/RB | O ./."],
}
SAID = "O ,/, | NP a/DT spokesman/NN | VP said/VBD"
TAILS = {"soccer": ["PP on/IN | NP {DAY} | NP night/NN", "PP in/IN | NP front/NN | PP of/IN | NP {BIGN} fans/NNS"],
         "solo": ["O ,/, | NP {NAT} media/NNS | VP reported/VBD", "O ,/, | NP organisers/NNS | VP said/VBD",
                  "PP on/IN | NP {DAY}"],
         "business": [SAID, "O ,/, | NP {EXEC} | VP said/VBD", "O ,/, | VP according/VBG to/TO | NP {CO} analysts/NNS"],
         "politics": [SAID, "O ,/, | NP officials/NNS | VP said/VBD", "O ,/, | NP {POL} | VP said/VBD"]}
RESULTS = {  # (header, line) for the result tables that follow some sports reports; {X#} gets a fresh number
    "soccer": ("NP Results/NNS | PP of/IN | NP {NAT1} league/NN matches/NNS | PP on/IN | NP {DAY} | O :/:",
               "NP {CLUB#a} | NP {G} | NP {CLUB#b} | NP {G}"),
    "solo": ("NP Results/NNS | PP of/IN | NP second-round/JJ matches/NNS | O :/:",
             "NP {ATH#a} | O (/( | NP {COUNTRY} | O )/) | VP beat/VBD | NP {ATH#b} | O (/( | NP {COUNTRY} | O )/) | NP {TSCORE} {TSCORE}"),
}


class Doc:
    def __init__(self, valid):
        self.valid, self.cast, self.bound, self.seen, self.in_sentence = valid, {}, {}, set(), set()
        self.pending = set()  # entities of the headline and dateline that the body has not mentioned yet
        self.team = random.choice(["CLUB", "COUNTRY"])
        self.date = [(f"1996-{R(1, 12):02d}-{R(1, 28):02d}", "CD")]

    def pick(self, kind, key=None):
        if key in self.bound:
            self.in_sentence.add(self.bound[key])
            return self.bound[key]
        cast = self.cast.setdefault(kind, [])
        bound = set(self.bound.values())  # a new binding needs an entity not bound yet
        free = [e for e in cast if e not in self.in_sentence and not (key and e in bound)]
        pending = [e for e in free if e in self.pending]
        if pending and key is None and random.random() < 0.8:
            e = random.choice(pending)
        elif free and (key is None and (len(cast) >= 3 or random.random() < REUSE) or key and random.random() < 0.3):
            e = random.choice(free)
        else:
            _, shared, held = POOLS[kind]
            pool = held if self.valid and held and random.random() < HELD else shared
            choices = ([x for x in pool if x not in cast and x not in bound]
                       or [x for x in shared + held * self.valid if x not in bound and x not in self.in_sentence])
            least = min(USED[x] for x in choices)  # spread mentions over the whole list
            e = random.choice([x for x in choices if USED[x] == least])
            USED[e] += 1
            cast.append(e)
        if key:
            self.bound[key] = e
        self.in_sentence.add(e)
        return e


def slot(doc, name, headline):
    kind, num, star = re.fullmatch(r"([A-Z]+)(\d*|#\w+)(\*?)", name).groups()
    if kind in FILL or kind == "DATE":
        return [(w, p, "O") for w, p in (doc.date if kind == "DATE" else FILL[kind]())]
    kind, titled = ("POL", True) if kind == "TPOL" else (kind, False)
    kind = doc.team if kind == "T" else kind
    if kind == "NAT":
        toks, etype, prefix = NAT[doc.pick("COUNTRY", "COUNTRY" + num if num else None)], "MISC", []
    else:
        key = kind + num if num else None
        toks, etype, prefix = doc.pick(kind, key), POOLS[kind][0], []
        if etype == "PER":
            short = toks[1:] if len(toks) > 1 else toks
            if headline or star:
                toks = short
            elif toks in doc.seen:
                toks = short if random.random() < 0.7 else toks
            else:
                doc.seen.add(toks)
                prefix = random.choice(TITLES) if titled and random.random() < 0.6 else []
    return [(w, p, "O") for w, p in prefix] + [(w, p, ("B-" if i == 0 else "I-") + etype)
                                               for i, (w, p) in enumerate(toks)]


def build(doc, template, headline=False):
    rows, doc.in_sentence = [], set()
    for seg in template.split(" | "):
        label, *items = seg.split()
        toks = []
        for it in items:
            toks += slot(doc, it[1:-1], headline) if it.startswith("{") else [(*it.rsplit("/", 1), "O")]
        for i, (w, p, ner) in enumerate(toks):
            chunk = "O" if label == "O" else ("B-" if i == 0 else "I-") + label
            rows.append((w.upper() if headline else w, p, chunk, ner))
    doc.pending = doc.pending | doc.in_sentence if headline else doc.pending - doc.in_sentence
    return rows


def make_doc(topic, valid):
    doc, sents = Doc(valid), []
    if random.random() < 0.9:
        sents.append(build(doc, random.choice(HEAD[topic]), headline=True))
    city = doc.pick("CITY", "CITY1")
    sents.append(build(doc, "NP {CITY1} {DATE}" if len(city) > 1 else "NP {CITY1} | O ,/, | NP {COUNTRY} {DATE}",
                       headline=True))
    nones = NONE[topic] + NONE["any"]
    n = R(7, 10)
    n_none = int(n * 0.45 + random.random())
    body = random.sample(BODY[topic], min(n - n_none, len(BODY[topic])))
    body += random.sample(nones, min(n_none, len(nones)))
    random.shuffle(body)
    used = set()
    for t in body:  # some reports get an attribution or a time tacked on before the full stop (each tail once)
        tails = [x for x in TAILS[topic]
                 if x not in used and not ("{DAY}" in x and re.search(r"{DAY}|year|season|week", t))]
        if tails and t.endswith(" | O ./.") and t not in NONE["any"] and not re.search('said/|"', t) \
                and random.random() < 0.55:
            tail = random.choice(tails)
            used.add(tail)
            t = t[:-len(" | O ./.")] + " | " + tail + " | O ./."
        sents.append(build(doc, t))
    if topic in RESULTS and random.random() < 0.4:
        head, line = RESULTS[topic]
        sents.append(build(doc, head))
        for i in range(R(2, 3)):
            sents.append(build(doc, line.replace("#a", f"#{i}a").replace("#b", f"#{i}b")))
        if topic == "soccer" and random.random() < 0.5:
            sents.append(build(doc, "NP Attendance/NN | O :/: | NP {BIGN}"))
    return sents


def write(path, docs):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for sents in docs:
            f.write("-DOCSTART- -X- -X- O\n\n")
            for s in sents:
                f.write("".join(" ".join(row) + "\n" for row in s) + "\n")


def generate(seed, n_docs, valid):
    random.seed(seed)
    USED.clear()
    topics = ["soccer", "solo", "business", "politics"] * (n_docs // 4)
    random.shuffle(topics)
    return [make_doc(t, valid) for t in topics]


def read_and_validate(path):
    """Checks the file's format and returns its documents as lists of sentences of (token, POS, chunk, NER)."""
    text = open(path, encoding="utf-8").read()
    assert text.endswith("\n\n") and "\n\n\n" not in text and "\r" not in text and "\t" not in text, path
    assert text.count("-DOCSTART-") == text.count("-DOCSTART- -X- -X- O\n\n"), f"{path}: no blank line after a -DOCSTART-"
    docs, sent = [], []
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = f"{path}:{n}"
        if not line:
            if sent:
                docs[-1].append(sent)
            sent = []
            continue
        cols = line.split(" ")
        assert len(cols) == 4 and all(cols), f"{where}: expected 4 non-empty columns: {line!r}"
        if cols[0] == "-DOCSTART-":
            assert line == "-DOCSTART- -X- -X- O" and not sent, where
            docs.append([])
            continue
        assert docs, f"{where}: token before the first -DOCSTART-"
        tok, pos, chunk, ner = cols
        assert all(c.isascii() or c.isalpha() for c in tok), f"{where}: unexpected character in {tok!r}"
        assert re.fullmatch(r"[A-Z$]+|[.,:()\"]", pos), f"{where}: bad POS {pos!r}"
        for tag, prev in ((chunk, sent[-1][2] if sent else "O"), (ner, sent[-1][3] if sent else "O")):
            assert tag == "O" or re.fullmatch(r"[BI]-[A-Z]+", tag), f"{where}: bad tag {tag!r}"
            assert not tag.startswith("I-") or prev[2:] == tag[2:] and prev != "O", f"{where}: {tag} after {prev}"
        assert ner[2:] in ("", "PER", "ORG", "LOC", "MISC"), where
        sent.append(cols)
    assert not sent, f"{path}: missing blank line after the last sentence"
    assert all(docs), f"{path}: empty document"
    for s in (s for d in docs for s in d):
        assert 3 <= len(s) <= 40, f"{path}: sentence of {len(s)} tokens: {' '.join(r[0] for r in s)}"
    return docs


def entities(sent):
    """The (type, text) of each entity in a sentence of (token, POS, chunk, NER) rows."""
    spans = []
    for tok, _, _, ner in sent:
        if ner.startswith("I-"):
            spans[-1][1].append(tok)
        elif ner.startswith("B-"):
            spans.append((ner[2:], [tok]))
    return [(t, " ".join(toks)) for t, toks in spans]


def profile(docs):
    sents = [s for d in docs for s in d]
    ents = [e for s in sents for e in entities(s)]
    return sents, ents, Counter(t for t, _ in ents)


def stats(name, docs):
    sents, ents, types = profile(docs)
    lens = [len(s) for s in sents]
    print(f"{name}: {len(docs)} documents, {len(sents)} sentences, {sum(lens)} tokens, "
          f"length min/mean/max {min(lens)}/{sum(lens) / len(lens):.1f}/{max(lens)}, "
          f"{sum(not entities(s) for s in sents) / len(sents):.0%} sentences without entities")
    print(f"  {len(ents)} entities ({len(ents) / len(sents):.2f} per sentence): "
          + ", ".join(f"{t} {types[t]}" for t in ("PER", "ORG", "LOC", "MISC")))


def unseen(train_docs, valid_docs):
    """The validation entity mentions whose type and text (ignoring case) never occur in training, and the total."""
    seen = {(t, x.lower()) for d in train_docs for s in d for t, x in entities(s)}
    mentions = [e for d in valid_docs for s in d for e in entities(s)]
    return [e for e in mentions if (e[0], e[1].lower()) not in seen], len(mentions)


def main():
    os.makedirs(OUT, exist_ok=True)
    paths = {name: os.path.join(OUT, name + ".txt") for name in ("train", "valid")}
    train = generate(1996, 40, valid=False)
    for seed in range(2024, 2224):  # the first validation stream with ~30% unseen mentions and MISC the rarest type
        valid = generate(seed, 12, valid=True)
        (new, total), (sents, _, types) = unseen(train, valid), profile(valid)
        if 0.28 <= len(new) / total <= 0.32 and 100 <= len(sents) <= 150 and types["MISC"] == min(types.values()):
            break
    else:
        raise SystemExit("no validation seed gives about 30% unseen entity mentions")
    write(paths["train"], train)
    write(paths["valid"], valid)
    train, valid = read_and_validate(paths["train"]), read_and_validate(paths["valid"])
    stats("train", train), stats("valid", valid)
    new, total = unseen(train, valid)
    print(f"valid seed {seed}; valid entity mentions unseen in train (type and text, ignoring case): "
          f"{len(new)}/{total} = {len(new) / total:.0%}")
    print(f"  distinct unseen names: {', '.join(sorted({x for _, x in new}))}")


if __name__ == "__main__":
    main()
