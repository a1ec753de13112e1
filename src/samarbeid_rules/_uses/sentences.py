"""Every modal sentence of the sources accounted for: judged by a rule, or listed with a reason.

The sentences are those :mod:`.._inputs.sources` finds (``skal``, ``bør``,
``må``, a named duty, responsibility or recommendation). Each is

- **judged** where the quotes of the rules cover it: a rule file's
  ``source.text``, or a citation of the institution checks
  (:data:`.institution.CITATIONS`);
- **listed** where ``rules/coverage.yaml`` covers it: an entry of
  ``not_judged`` (a duty of these actors the tool does not judge) or of
  ``not_duties`` (a sentence that states no duty of these actors), each with
  a category and a reason;
- **unaccounted** otherwise, and ``tests/test_sentences.py`` fails.

How a quote covers a sentence, precisely: both are reduced to their words
(lower case; punctuation, ``§``, ``•`` and line breaks dropped); a quote is
cut at every ellipsis (``[...]``, ``[…]``, ``…``) into fragments, and only a
quote of the same document and section is compared (the section as
:func:`.._inputs.sources.section_key` compares it; for 004 the heading, or
"Top: heading"). The sentence's words and a fragment's are aligned
(:class:`difflib.SequenceMatcher`); runs of equal words joined across gaps of
at most :data:`GAP_SENTENCE` sentence words and :data:`GAP_QUOTE` quote words
form a stretch, and a stretch of at least :data:`MIN_RUN` matched words (or
all of the sentence, if shorter) covers the sentence's words from its first
to its last, provided the fragment's stretches match at least half of the
sentence's words or four fifths of the fragment's (so a shared phrase such as
"jf. retningslinjer til straffegjennomføringsloven mv. punkt" is no quote). A list item is compared without its lead-in (which the quote
may repeat or leave out). The sentence is covered when no run of
:data:`GAP_SENTENCE` + 1 or more of its words is left uncovered by all
quotes together (a rule may quote part of a sentence and a listing the
rest); the words of a reference to a legal basis ("jf. straffegjennomførings-
loven § 38 tredje ledd", :func:`citation_words`) need no quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .._inputs.ruleset import RuleSet
from .._inputs.sources import Sentence, SourceDocument, read_sources, section_key, words
from .institution import CITATIONS as INSTITUTION_CITATIONS

__all__ = [
    "NOT_DUTY_CATEGORIES",
    "NOT_JUDGED_CATEGORIES",
    "Listed",
    "SentenceAccount",
    "SentenceRow",
    "SourceCount",
    "account_sentences",
    "sentences_markdown",
    "sentences_table",
]

MIN_RUN = 6
GAP_SENTENCE = 1
GAP_QUOTE = 2

#: categories of ``not_judged``: duties of KO, KHO, SHT or the prison leader that no rule judges as
#: worded here (see docs/coverage.md for what each means)
NOT_JUDGED_CATEGORIES = ("judgement", "general_principle", "institution", "duplicate_of", "not_in_catalog")
#: categories of ``not_duties``: sentences with a modal marker that state no duty of these actors
NOT_DUTY_CATEGORIES = ("not_a_duty_of_these_actors", "describes_other_law", "background")

Category = Literal[
    "judgement", "general_principle", "institution", "duplicate_of", "not_in_catalog",
    "not_a_duty_of_these_actors", "describes_other_law", "background",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Listed(_Strict):
    """A sentence (or several) of a source that ``rules/coverage.yaml`` lists, with why it is not judged."""

    source: str
    section: str
    text: str = Field(description="The Norwegian words, quoted (several sentences, or part of one, may be).")
    reason: str
    category: Category
    duty: str | None = Field(None, description="duplicate_of: the duty id that judges the same duty.")


class SentenceRow(_Strict):
    """One modal sentence of a source and how it is accounted for."""

    key: str
    document: str
    section: str
    line: int
    text: str
    lead_in: str | None = None
    markers: list[str]
    status: Literal["judged", "listed", "judged+listed", "unaccounted"]
    judged_by: list[str] = Field(default_factory=list, description="Duty ids whose rule (or check) quotes it.")
    listed_as: list[str] = Field(default_factory=list, description="Categories of the listings that cover it.")
    listed_duties: list[str] = Field(default_factory=list, description="duplicate_of listings: the duties they name.")
    uncovered: str | None = Field(None, description="Unaccounted: the words no quote or listing covers.")


class SourceCount(_Strict):
    document: str
    title: str
    sentences: int
    judged: int
    judged_and_listed: int
    listed: dict[str, int]
    unaccounted: int


class SentenceAccount(_Strict):
    """Every modal sentence of the sources, and the listings that matched none."""

    rows: list[SentenceRow]
    counts: list[SourceCount]
    stale: list[Listed] = Field(description="Listings that cover no modal sentence of their document and section.")

    @property
    def unaccounted(self) -> list[SentenceRow]:
        return [r for r in self.rows if r.status == "unaccounted"]


@dataclass(frozen=True)
class _Quote:
    by: str  #: a duty id, or a listing's category
    kind: Literal["rule", "listed"]
    document: str
    section: str
    fragments: tuple[tuple[str, ...], ...]
    listing: int | None = None  #: index of the listing
    duty: str | None = None  #: a duplicate_of listing's duty


_ELLIPSIS = re.compile(r"\[\s*(?:\.\.\.|…)\s*\]|…|\.\.\.")


def _fragments(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(w for w in (tuple(words(part)) for part in _ELLIPSIS.split(text)) if w)


def covered(sentence: Sequence[str], fragment: Sequence[str]) -> list[tuple[int, int]]:
    """The spans [start, end) of ``sentence`` that ``fragment`` covers (see the module docstring)."""
    blocks = [b for b in SequenceMatcher(None, sentence, fragment, autojunk=False).get_matching_blocks() if b.size]
    spans: list[tuple[int, int]] = []
    need = min(MIN_RUN, len(sentence))
    matched = 0
    chain: list = []

    def close() -> None:
        nonlocal matched
        size = sum(b.size for b in chain)
        if chain and size >= need:
            spans.append((chain[0].a, chain[-1].a + chain[-1].size))
            matched += size

    for b in blocks:
        if chain:
            last = chain[-1]
            gap_a, gap_b = b.a - (last.a + last.size), b.b - (last.b + last.size)
            if 0 <= gap_a <= GAP_SENTENCE and 0 <= gap_b <= GAP_QUOTE:
                chain.append(b)
                continue
            close()
        chain = [b]
    close()
    # a common phrase ("jf. retningslinjer til straffegjennomføringsloven mv. punkt") is no quote:
    # the words matched must be most of the sentence, or most of the fragment
    if matched * 2 < len(sentence) and matched * 5 < len(fragment) * 4:
        return []
    return spans


_CITING = {"jf", "og", "til", "om", "mv", "pkt", "punkt", "nr", "ledd", "første", "andre", "annet", "tredje",
           "fjerde", "femte", "sjette", "syvende", "bokstav", "kapittel", "flg", "lov", "forskrift", "retningslinjer"}
_CITING_ENDS = ("loven", "lovens", "forskriften", "forskriftens")


def _citing(token: str) -> bool:
    return token.isdigit() or len(token) == 1 or token in _CITING or token.endswith(_CITING_ENDS)


def citation_words(tokens: Sequence[str]) -> set[int]:
    """The positions of the words of a reference to a legal basis ("jf. straffegjennomføringsloven § 38
    tredje ledd"): from ``jf`` up to the first word that is no part of a citation. A quote need not
    cover them."""
    out: set[int] = set()
    i = 0
    while i < len(tokens):
        if tokens[i] == "jf":
            j = i + 1
            while j < len(tokens) and _citing(tokens[j]):
                j += 1
            while j > i + 1 and tokens[j - 1] in ("og", "til", "om"):  # not a trailing "og"
                j -= 1
            out.update(range(i, j))
            i = j
        else:
            i += 1
    return out


def _uncovered(n: int, spans: Iterable[tuple[int, int]], optional: Iterable[int] = ()) -> list[tuple[int, int]]:
    mask = [False] * n
    for i in optional:
        mask[i] = True
    for a, b in spans:
        for i in range(a, b):
            mask[i] = True
    runs, start = [], None
    for i, m in enumerate(mask + [True]):
        if not m and start is None:
            start = i
        elif m and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _quotes(rule_set: RuleSet, listings: Sequence[Listed]) -> list[_Quote]:
    quotes = [_Quote(r.rule.duty, "rule", r.rule.source.document, section_key(r.rule.source.section),
                     _fragments(r.rule.source.text)) for r in rule_set.rules]
    cites = [(duty, c) for duty, cs in INSTITUTION_CITATIONS.items() for c in cs]
    quotes += [_Quote(duty, "rule", c.document, section_key(c.section), _fragments(c.text)) for duty, c in cites]
    quotes += [_Quote(entry.category, "listed", entry.source, section_key(entry.section), _fragments(entry.text), i,
                      entry.duty) for i, entry in enumerate(listings)]
    return quotes


def _row(s: Sentence, quotes: Sequence[_Quote], used: set[int]) -> SentenceRow:
    tokens = words(s.text)
    judged: list[tuple[int, int]] = []
    listed: list[tuple[int, int]] = []
    judged_by: dict[str, None] = {}
    listed_as: dict[str, None] = {}
    duties: dict[str, None] = {}
    for q in quotes:
        if q.document != s.document or q.section not in s.aliases:
            continue
        spans = [sp for f in q.fragments for sp in covered(tokens, f)]
        if not spans:
            continue
        if q.kind == "rule":
            judged += spans
            judged_by[q.by] = None
        else:
            listed += spans
            listed_as[q.by] = None
            if q.duty is not None:
                duties[q.duty] = None
            assert q.listing is not None
            used.add(q.listing)
    gaps = [g for g in _uncovered(len(tokens), judged + listed, citation_words(tokens)) if g[1] - g[0] > GAP_SENTENCE]
    status: Literal["judged", "listed", "judged+listed", "unaccounted"]
    if gaps:
        status = "unaccounted"
    elif judged_by and listed_as:
        status = "judged+listed"
    else:
        status = "judged" if judged_by else "listed"
    missing = " … ".join(" ".join(tokens[a:b]) for a, b in gaps) or None
    return SentenceRow(
        key=s.key, document=s.document, section=s.section, line=s.line, text=s.text, lead_in=s.lead_in,
        markers=list(s.markers), status=status, judged_by=list(judged_by), listed_as=list(listed_as),
        listed_duties=list(duties), uncovered=missing,
    )


def account_sentences(
    rule_set: RuleSet,
    listings: Sequence[Listed],
    *,
    sources: str | Path | Sequence[SourceDocument] | None = None,
) -> SentenceAccount:
    """Account for every modal sentence of the sources (default: ``sources/`` of the rule set)."""
    docs = sources if isinstance(sources, Sequence) and not isinstance(sources, str) else read_sources(
        Path(sources) if sources is not None else Path(rule_set.directory) / "sources")
    quotes = _quotes(rule_set, listings)
    used: set[int] = set()
    rows: list[SentenceRow] = []
    counts: list[SourceCount] = []
    for doc in docs:
        doc_rows = [_row(s, quotes, used) for s in doc.modal]
        rows += doc_rows
        listed: dict[str, int] = {}
        for r in doc_rows:
            if r.status == "listed":
                for c in r.listed_as[:1]:
                    listed[c] = listed.get(c, 0) + 1
        counts.append(SourceCount(
            document=doc.id, title=doc.title, sentences=len(doc_rows),
            judged=sum(r.status == "judged" for r in doc_rows),
            judged_and_listed=sum(r.status == "judged+listed" for r in doc_rows),
            listed=listed, unaccounted=sum(r.status == "unaccounted" for r in doc_rows),
        ))
    stale = [entry for i, entry in enumerate(listings) if i not in used]
    return SentenceAccount(rows=rows, counts=counts, stale=stale)


# --- for people ---------------------------------------------------------------


def _count_line(c: SourceCount) -> str:
    listed = ", ".join(f"{k} {v}" for k, v in sorted(c.listed.items())) or "none"
    return (f"{c.document}: {c.sentences} sentences, judged {c.judged}, judged in part and listed in part "
            f"{c.judged_and_listed}, listed {sum(c.listed.values())} ({listed}), unaccounted {c.unaccounted}")


def sentences_table(acc: SentenceAccount) -> str:
    """The account as text: the counts per source, then every sentence not yet accounted for."""
    lines = ["modal sentences of the sources (skal, bør, må, plikt, ansvar for, anbefaling)", ""]
    lines += [_count_line(c) for c in acc.counts]
    lines.append("")
    for r in acc.unaccounted:
        lines.append(f"UNACCOUNTED {r.document} §{r.section} (line {r.line}): {r.text}")
        lines.append(f"    not covered: {r.uncovered}")
    for s in acc.stale:
        lines.append(f"STALE LISTING {s.source} §{s.section} ({s.category}): {' '.join(s.text.split())}")
    if not acc.unaccounted and not acc.stale:
        lines.append("every modal sentence is judged or listed with a reason")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def sentences_markdown(acc: SentenceAccount) -> list[str]:
    """The account as Markdown lines (a section of docs/coverage.md)."""
    out = [
        "| source | sentences | judged | judged in part, listed in part | listed | unaccounted |",
        "|---|---|---|---|---|---|",
    ]
    for c in acc.counts:
        listed = "<br>".join(f"{k}: {v}" for k, v in sorted(c.listed.items())) or "—"
        out.append(f"| {c.document} | {c.sentences} | {c.judged} | {c.judged_and_listed} | {listed} | "
                   f"{c.unaccounted} |")
    out += ["", "| source | section | line | sentence | modal | accounted for by |", "|---|---|---|---|---|---|"]
    for r in acc.rows:
        text = f"*{_md(r.text)}*" if not r.lead_in else f"({_md(r.lead_in)} …) *{_md(r.text)}*"
        by = [f"`{d}`" for d in r.judged_by] + [
            c + "".join(f" `{d}`" for d in r.listed_duties) if c == "duplicate_of" else c for c in r.listed_as]
        if r.status == "unaccounted":
            by.append(f"**unaccounted**: {_md(r.uncovered or '')}")
        out.append(f"| {r.document} | {_md(r.section) or '—'} | {r.line} | {text} | {', '.join(r.markers)} | "
                   f"{', '.join(by)} |")
    return out
