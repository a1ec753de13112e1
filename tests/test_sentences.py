"""Every modal sentence of the sources is judged by a rule or listed with a reason (issue 11, item 3).

The sentence finder (``samarbeid_rules._inputs.sources``) reads the five sources in
``rules/sources/``; the account (``samarbeid_rules._uses.sentences``) matches each modal sentence
against the rules' quotes, the institution checks' citations and ``rules/coverage.yaml``. The check
is planted with violations on copies: a new duty sentence, a listing removed, a rule's quote cut.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from samarbeid_rules import load_rules
from samarbeid_rules._cli import main
from samarbeid_rules._inputs.rules import Citation
from samarbeid_rules._inputs.sources import SourceLayout, modal_markers, read_document, read_sources, words
from samarbeid_rules._uses.coverage import CoverageFile, coverage
from samarbeid_rules._uses.institution import CITATIONS
from samarbeid_rules._uses.sentences import account_sentences, citation_words, covered

ROOT = Path(__file__).parents[1]
RULES = ROOT / "rules"
SOURCES = RULES / "sources"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CATALOG_MD = Path(__file__).resolve().parents[2] / "shared" / "duty-catalog.md"



def _listings(rules_dir: Path = RULES) -> list:
    data = CoverageFile.model_validate(yaml.safe_load((rules_dir / "coverage.yaml").read_text(encoding="utf-8")))
    return [*data.not_judged, *data.not_duties]


def _account(rules_dir: Path = RULES):
    return account_sentences(load_rules(rules_dir), _listings(rules_dir))


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def _describe(rows) -> str:
    return "\n".join(f"  {r.document} §{r.section} line {r.line}: {r.text}\n    not covered: {r.uncovered}"
                     for r in rows)


@pytest.fixture(scope="module")
def account():
    return _account()


# --- the check ---------------------------------------------------------------------


def test_every_modal_sentence_is_judged_or_listed(account):
    """Every skal/bør/må sentence (and named duty, responsibility, recommendation) of the five sources
    is covered by a rule's quote, an institution check's citation, or a listing of rules/coverage.yaml."""
    assert len(account.rows) > 250
    assert account.unaccounted == [], (
        "sentences neither judged nor listed (quote them in a rule's source.text, or list them in "
        "rules/coverage.yaml with a category and a reason):\n" + _describe(account.unaccounted))


def test_no_listing_is_stale(account):
    """Every listing of rules/coverage.yaml covers a modal sentence of its document and section (a
    listing that matches nothing has a typo, a wrong section, or outlived its sentence)."""
    assert account.stale == [], [(s.source, s.section, s.text[:60]) for s in account.stale]


def test_counts_add_up_per_source(account):
    """Each source's counts sum to its sentences; all five sources are counted."""
    assert [c.document for c in account.counts] == ["000", "001", "002", "003", "004"]
    for c in account.counts:
        assert c.judged + c.judged_and_listed + sum(c.listed.values()) + c.unaccounted == c.sentences
    assert sum(c.sentences for c in account.counts) == len(account.rows)


def test_duplicate_listings_name_a_catalog_duty():
    """A duplicate_of listing names a duty of the catalog that has a rule file or an institution check."""
    judged = set(load_rules().by_duty()) | set(CITATIONS)
    for entry in _listings():
        if entry.category == "duplicate_of":
            assert entry.duty in judged, entry


def test_not_in_catalog_listings_say_so():
    """A duty the catalog does not list yet says so in its reason's first words."""
    found = [e for e in _listings() if e.category == "not_in_catalog"]
    assert len(found) >= 4
    for e in found:
        assert " ".join(e.reason.split()).startswith(("A duty the catalog does not list yet",
                                                      "A recommendation the catalog does not list yet"))


# The sentences the review of issue 11 found neither judged nor listed, and how each is now
# accounted for (a category of coverage.yaml, or the duty that judges it).
REVIEWED = [
    ("001", "5.1.1", "iverksette nødvendige tiltak", {"judgement"}),
    ("001", "5.2.1", "innhente helsefaglige råd", {"not_in_catalog"}),
    ("001", "5.2.1", "Involvere helse- og omsorgstjenestene", {"not_in_catalog"}),
    # the list in §5.2.2: the municipal health service's items, then Helsedirektoratet's recommendations
    ("001", "5.2.2", "tilby og yte nødvendige og forsvarlige helse- og omsorgstjenester", {"judgement"}),
    ("001", "5.2.2", "veilede om rusmiddelproblemer", {"judgement"}),
    ("001", "5.2.2", "varsle og gi kriminalomsorgen råd for å forebygge", {"judgement"}),
    ("001", "5.2.2", "henvise til spesialisthelsetjenesten ved behov", {"judgement"}),
    ("001", "5.2.2", "tilby habilitering/rehabilitering", {"judgement"}),
    ("001", "5.2.2", "utarbeide en individuell plan for innsatte som har rett", {"duplicate_of"}),
    ("001", "5.2.2", "tilby koordinator til innsatte", {"duplicate_of"}),
    ("001", "5.2.2", "tilby samtaler med innsatte og kartlegging", {"judgement"}),
    ("001", "5.2.2", "ha tilsyn med innsatte som er isolert", {"duplicate_of"}),
    ("001", "5.2.2", "ha rutiner som beskriver legevaktens rolle", {"duplicate_of"}),
    ("001", "7.1.2", "vurdere behov for helsehjelp og tydelig formidle", {"judgement"}),
    ("001", "7.1.2", "gis anledning til å gi råd", {"judgement"}),
    ("001", "7.1.3", "gi råd til fengselsledelsen", {"judgement"}),
    # §7.1.3's closing recommendations ("Helsepersonell som gjennomfører tilsyn med innsatte, bør")
    ("001", "7.1.3", "vurdere behov for helsehjelp fra spesialisthelsetjenesten", {"judgement"}),
    ("001", "7.1.3", "undersøke de fysiske omgivelsene", {"not_in_catalog"}),
    ("001", "7.1.3", "melde fra til fengselslederen dersom de vurderer", {"judgement"}),
    ("001", "7.3", "Om nødvendig skal kriminalomsorgen", {"judgement"}),
    ("001", "6.3", "bør det rutinemessig vurderes", {"institution"}),
    ("001", "8.3", "kompetansebygging", {"institution"}),
    ("004", "", "Spesialisthelsetjenesten bør tilrettelegge for at behandling", {"not_in_catalog"}),
    ("004", "", "Fastlegen bør ved behov informere fengselslegen", {"judgement"}),
    ("004", "", "må helsetjenesten så langt det er mulig følge opp", {"judgement"}),
]

#: the closing recommendations of §7.1.3 are the items of this lead-in, and all of them are reviewed
CLOSING_7_1_3 = "Helsepersonell som gjennomfører tilsyn med innsatte, bør"


@pytest.mark.parametrize("doc, section, words_, expected", REVIEWED, ids=[r[2][:30] for r in REVIEWED])
def test_the_reviewed_sentences_are_accounted_for(account, doc, section, words_, expected):
    """Each sentence the review named is found, and accounted for as decided."""
    rows = [r for r in account.rows if r.document == doc and (not section or r.section == section)
            and " ".join(words(words_)) in " ".join(words(r.text))]
    assert len(rows) == 1, rows
    assert rows[0].status != "unaccounted"
    assert expected <= set(rows[0].listed_as) | set(rows[0].judged_by)


@pytest.mark.parametrize("section, lead_in", [
    ("5.2.2", "Den kommunale helse- og omsorgstjenesten skal"),
    ("5.2.2", "Helsedirektoratet har videre gitt anbefalinger om å"),
    ("7.1.3", CLOSING_7_1_3),
])
def test_the_reviewed_lists_are_found_whole(account, section, lead_in):
    """Every item of the reviewed lists is found as a modal sentence carrying its lead-in's verb, and
    each is one of REVIEWED (so no item of those lists escapes the review)."""
    items = [r for r in account.rows if r.document == "001" and r.section == section and r.lead_in == lead_in]
    assert len(items) >= 3
    reviewed = [" ".join(words(w)) for d, sec, w, _ in REVIEWED if d == "001" and sec == section]
    for r in items:
        assert r.markers[0] in ("skal", "bør", "anbefaling"), r
        assert sum(w in " ".join(words(r.text)) for w in reviewed) == 1, r.text


# --- planted violations, on copies ------------------------------------------------------


def _plant(rules: Path, doc: str, after: str, new: str) -> None:
    index = yaml.safe_load((rules / "sources" / "sources.yaml").read_text(encoding="utf-8"))
    path = rules / "sources" / index["documents"][doc]["file"]
    path.chmod(0o644)
    text = path.read_text(encoding="utf-8")
    assert after in text
    path.write_text(text.replace(after, after + new, 1), encoding="utf-8")


def test_a_planted_duty_sentence_is_unaccounted(tmp_path):
    """A new skal sentence in 001 §5.2.4, a new bullet under 001 §7.1.2's lead-in (inheriting its skal)
    and a new OCR-read "ber" sentence in 004 are each reported unaccounted, with their section."""
    rules = _copy(tmp_path)
    _plant(rules, "001", "fysisk aktivitet som er tilpasset rutiner og rammer i fengselet. ",
           "Kriminalomsorgen skal sende \n\nvedtaket til statsforvalteren innen tre dager. ")
    _plant(rules, "001", "• føre protokoll for tilsyn og hvilken kontakt det har vært med helsepersonell \n\n",
           "• melde vedtaket til tilsynsrådet samme dag \n\n")
    _plant(rules, "004", "Rundskrivet supplerer eksisterende rundskriv pé bererte omrider.",
           "\nFengselet ber arkivere \nalle vedtak i ti ar.")
    acc = _account(rules)
    found = {(r.document, r.section, r.text) for r in acc.unaccounted}
    assert found == {
        ("001", "5.2.4", "Kriminalomsorgen skal sende vedtaket til statsforvalteren innen tre dager."),
        ("001", "7.1.2", "melde vedtaket til tilsynsrådet samme dag"),
        ("004", "Lokalt samarbeid", "Fengselet bør arkivere alle vedtak i ti ar."),
    }
    assert main(["coverage", "--sentences", "--rules", str(rules)]) == 1


def test_a_removed_listing_leaves_its_sentence_unaccounted(tmp_path):
    """Deleting the listing of 001 §7.1.3 "gi rask medisinsk hjelp" from a copy of coverage.yaml makes
    exactly that sentence unaccounted."""
    rules = _copy(tmp_path)
    data = yaml.safe_load((rules / "coverage.yaml").read_text(encoding="utf-8"))
    before = len(data["not_judged"])
    data["not_judged"] = [e for e in data["not_judged"] if e["text"] != "gi rask medisinsk hjelp og behandling"]
    assert len(data["not_judged"]) == before - 1
    (rules / "coverage.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    acc = _account(rules)
    assert [r.text for r in acc.unaccounted] == ["gi rask medisinsk hjelp og behandling"]


def test_a_listing_in_the_wrong_section_is_stale(tmp_path):
    """The same listing moved to another section covers nothing there: it is stale, and its sentence
    unaccounted."""
    rules = _copy(tmp_path)
    data = yaml.safe_load((rules / "coverage.yaml").read_text(encoding="utf-8"))
    for e in data["not_judged"]:
        if e["text"] == "gi rask medisinsk hjelp og behandling":
            e["section"] = "7.1.2"
    (rules / "coverage.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    acc = _account(rules)
    assert [s.text for s in acc.stale] == ["gi rask medisinsk hjelp og behandling"]
    assert [r.text for r in acc.unaccounted] == ["gi rask medisinsk hjelp og behandling"]


def test_a_listing_of_words_no_source_has_is_stale_and_fails_the_command(tmp_path, capsys):
    """A listing whose words are in no sentence of its section (here: a made-up sentence in 001 §7.3)
    is stale, with every sentence still accounted for; `coverage --sentences` exits 1 and names it."""
    rules = _copy(tmp_path)
    data = yaml.safe_load((rules / "coverage.yaml").read_text(encoding="utf-8"))
    assert main(["coverage", "--sentences", "--rules", str(rules)]) == 0
    capsys.readouterr()
    bogus = "Kriminalomsorgen skal sende en rapport om hver begjæring til statsforvalteren hver måned."
    data["not_judged"].append({"source": "001", "section": "7.3", "text": bogus, "category": "judgement",
                               "reason": "planted"})
    (rules / "coverage.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    acc = _account(rules)
    assert acc.unaccounted == []
    assert [s.text for s in acc.stale] == [bogus]
    assert main(["coverage", "--sentences", "--rules", str(rules)]) == 1
    assert f"STALE LISTING 001 §7.3 (judgement): {bogus}" in capsys.readouterr().out


def test_a_rule_quote_cut_short_leaves_the_rest_unaccounted(tmp_path):
    """A copy of exclusion/notify_doctor.yaml quoting only "varsle lege" … "uten ugrunnet opphold" (the
    words its bound reads, which the quote must keep) leaves the rest of the sentence uncovered."""
    rules = _copy(tmp_path)
    path = rules / "duties" / "exclusion" / "notify_doctor.yaml"
    data = path.read_text(encoding="utf-8")
    cut = data.replace("uten ugrunnet\n    opphold om innsatte som er utelukket fra fellesskapet, jf.\n"
                       "    straffegjennomføringsloven § 37 syvende ledd", "uten ugrunnet\n    opphold")
    assert cut != data
    path.write_text(cut, encoding="utf-8")
    acc = _account(rules)
    assert [(r.section, r.uncovered) for r in acc.unaccounted] == [
        ("7.1.2", "om innsatte som er utelukket fra fellesskapet")]


# --- the finder ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, markers", [
    ("Kriminalomsorgen skal varsle lege.", ("skal",)),
    ("Helsepersonellet skal ikke «klarere» bruk av tvangsmidler", ("skal ikke",)),
    ("Tiltak bør som hovedregel ikke avbrytes", ("bør ikke",)),
    ("Rutinen bør inneholde hva ansatte skal gjøre når helsetjenesten ikke er til stede", ("bør", "skal")),
    ("Kriminalomsorgen må til enhver tid vurdere", ("må",)),
    ("De har plikt til å samarbeide", ("plikt",)),
    ("Kapittel 6 forplikter kommuner", ("plikt",)),
    ("Forskriften pålegger spesialisthelsetjenesten", ("plikt",)),
    ("Kriminalomsorgen har ansvar for å planlegge", ("ansvar",)),
    ("har et særskilt koordineringsansvar for å tilrettelegge", ("ansvar",)),
    ("Kommuner og NAV er ansvarlige for oppfølging", ("ansvar",)),
    ("Det anbefales at det utarbeides avtaler", ("anbefaling",)),
    ("eller burde være kjent med", ("burde",)),
    ("Opplysninger kan deles med helsetjenesten", ()),
    ("De ansatte er underlagt taushetsplikt", ()),
    ("Innsatte har rett til koordinator", ()),
    ("Kriminalomsorgen har krav på skriftlig tilbakemelding", ()),
    ("Det er viktig at spesialisthelsetjenesten informerer", ()),
    ("Kommunens ansvar er nærmere omtalt", ()),
])
def test_modal_markers(text, markers):
    """The markers found: modal verbs with their negation, named duties, responsibilities and
    recommendations; never kan, rights, taushetsplikt or "det er viktig at"."""
    assert modal_markers(text) == markers


def _doc(text: str, **layout) -> list:
    opts = {"file": "-", "title": "-", "blank_lines": "soft", "sections": "numbered", **layout}
    return list(read_document("x", text, SourceLayout(**opts)).sentences)


def test_list_items_inherit_the_lead_in_and_the_lead_in_is_no_sentence():
    """Items under "Ved innsettelse skal kriminalomsorgen" carry its skal; an item's later sentence
    without a modal verb inherits it too; a sentence with its own verb keeps its own."""
    text = ("5.1.1 Ansvar \n\nVed innsettelse skal kriminalomsorgen \n\n• gjennomføre innkomstsamtale \n\n"
            "raskest mulig \n\n• føre tilsyn. Utgangspunktet er én gang i timen. Innsatte under 18 år skal ha "
            "kontinuerlig tilsyn \n\n \n\nDette er en ny setning.")
    got = [(s.section, s.text, s.markers, s.inherited, s.lead_in) for s in _doc(text)]
    lead = "Ved innsettelse skal kriminalomsorgen"
    assert got == [
        ("5.1.1", "gjennomføre innkomstsamtale raskest mulig", ("skal",), True, lead),
        ("5.1.1", "føre tilsyn.", ("skal",), True, lead),
        ("5.1.1", "Utgangspunktet er én gang i timen.", ("skal",), True, lead),
        ("5.1.1", "Innsatte under 18 år skal ha kontinuerlig tilsyn", ("skal",), False, lead),
        ("5.1.1", "Dette er en ny setning.", (), False, None),
    ]


def test_page_foot_notes_and_note_marks_are_removed():
    """A sentence broken by a page's foot-notes is joined again; note marks ("skal13", "fengsel.1",
    "selvskading 9") are dropped, section numbers and "§ 3-16" kept."""
    text = ("7.1.3 Ansvar \n\nHelsepersonell skal13 gi råd om forhold som er \n\n \n"
            "13 Mandelareglene, regel 46 nr. 1 \n14 Mandelareglene, regel 46 nr. 2. \n"
            "https://example.org/x\n"
            " nødvendige etter § 3-16 i fengsel.1 Neste setning skal gjelde selvskading 9 \n")
    assert [s.text for s in _doc(text, footnotes=True)] == [
        "Helsepersonell skal gi råd om forhold som er nødvendige etter § 3-16 i fengsel.",
        "Neste setning skal gjelde selvskading",
    ]


def test_ocr_corrections_headings_and_lines_of_004():
    """In 004 the scan's "ber" reads bør and "mé" må; a section is "Top: Heading"; the line is the
    scan's own."""
    doc = next(d for d in read_sources(SOURCES) if d.id == "004")
    by_start = {s.text[:40]: s for s in doc.modal}
    s = by_start["Kriminalomsorgen må raskest mulig få kar"]
    assert s.markers[0] == "må" and s.line == 97
    assert s.section == "Ansvarsfordeling: Kriminalomsorgens rolle og ansvar ved iverksettelse av dom"
    gp = by_start["Etter samtykke fra den innsatte, bør kom"]
    assert "bostedskommune" in gp.text and gp.line == 197
    assert gp.section == "Ansvarsfordeling: Helsetjenestenes rolle og ansvar ved avslutning av straffegjennomføring"


def test_keys_survive_rewrapping(tmp_path):
    """Re-wrapping a source (other line breaks, spaces) changes no sentence's key, and the account
    stays complete."""
    rules = _copy(tmp_path)
    index = yaml.safe_load((rules / "sources" / "sources.yaml").read_text(encoding="utf-8"))
    path = rules / "sources" / index["documents"]["000"]["file"]
    path.chmod(0o644)
    text = path.read_text(encoding="utf-8")
    rewrapped = text.replace("legge til \nrette for at", "legge til rette \nfor   at").replace(
        "tidlig informere om endringer som vil få konsekvenser for \nsamarbeidende",
        "tidlig informere om \nendringer som vil få konsekvenser for samarbeidende")
    assert rewrapped != text
    path.write_text(rewrapped, encoding="utf-8")
    before = {s.key for d in read_sources(SOURCES) for s in d.sentences}
    after = {s.key for d in read_sources(rules / "sources") for s in d.sentences}
    assert before == after
    assert _account(rules).unaccounted == []


# --- matching -----------------------------------------------------------------------------


def test_covered_spans_tolerate_small_differences_and_ignore_shared_phrases():
    """A quote with one word changed still covers; a shared citation phrase alone does not."""
    s = words("informere helse- og omsorgstjenesten om tidspunkt for forventet løslatelse minst to måneder "
              "i forkant, jf. retningslinjer til straffegjennomføringsloven punkt 42.1 ogslik varsling bør")
    q = words("informere helse- og omsorgstjenesten om tidspunkt for forventet løslatelse minst to måneder i "
              "forkant, jf. retningslinjer til straffegjennomføringsloven punkt 42.1 og slik varsling bør")
    assert covered(s, q) == [(0, len(s))] or sum(b - a for a, b in covered(s, q)) >= len(s) - 1
    assert covered(s, words("jf. retningslinjer til straffegjennomføringsloven punkt")) == []


def test_citation_words_need_no_quote():
    """The words of "jf. …" references are optional, up to the first word that is no citation."""
    w = words("skal ha tilsyn, jf. straffegjennomføringsloven § 38 fjerde ledd og § 10 a")
    assert [w[i] for i in sorted(citation_words(w))] == w[3:]
    w = words("ber om det, jf. straffegjennomføringsforskriften § 3-16 eller det oppdages")
    assert [w[i] for i in sorted(citation_words(w))] == ["jf", "straffegjennomføringsforskriften", "3", "16"]


# --- the sources, the command and the docs -----------------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the shared seeds are not present at {SEEDS}")
def test_sources_are_the_seeds_unchanged():
    """rules/sources/ holds each seed byte for byte, and every seed."""
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert sorted(p.name for p in SOURCES.glob("*.txt")) == seeds
    for name in seeds:
        assert (SOURCES / name).read_bytes() == (SEEDS / name).read_bytes(), name


def test_cli_coverage_sentences(tmp_path, capsys):
    """`coverage --sentences` prints the counts per source and exits 0 when every sentence is accounted
    for (a copy of the shipped rules), 1 with the sentence when one is not."""
    rules = _copy(tmp_path)
    data = yaml.safe_load((rules / "coverage.yaml").read_text(encoding="utf-8"))
    assert main(["coverage", "--sentences", "--rules", str(rules)]) == 0
    out = capsys.readouterr().out
    assert "001: 193 sentences" in out and "every modal sentence is judged or listed" in out
    _plant(rules, "002", "Avtalen skal også gjøres kjent gjennom politirådene.",
           " Kriminalomsorgen skal varsle KS hver måned.")
    assert main(["coverage", "--sentences", "--rules", str(rules)]) == 1
    out = capsys.readouterr().out
    assert "UNACCOUNTED 002 §4 (line 36): Kriminalomsorgen skal varsle KS hver måned." in out
    assert main(["coverage", "--sentences", "--format", "json", "--rules", str(rules)]) == 1
    assert '"status": "unaccounted"' in capsys.readouterr().out


def test_coverage_page_lists_every_sentence():
    """docs/coverage.md has the counts and one row per modal sentence; coverage() carries the account."""
    cov = coverage()
    assert cov.sentences is not None and len(cov.sentences.rows) == len(_account().rows)
    page = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert "## Every modal sentence of the sources" in page
    section = page.split("## Every modal sentence of the sources", 1)[1]
    assert sum(1 for line in section.splitlines() if line.startswith(("| 00",))) == len(cov.sentences.rows) + 5


def test_a_rule_set_without_sources_has_no_sentence_account(tmp_path, capsys):
    """A rule set without sources/ gets no account, and `coverage --sentences` says so (exit 3)."""
    rules = _copy(tmp_path)
    shutil.rmtree(rules / "sources")
    assert coverage(rules).sentences is None
    assert main(["coverage", "--sentences", "--rules", str(rules)]) == 3
    assert "has no sources" in capsys.readouterr().err
