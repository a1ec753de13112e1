"""The source documents read as sentences, and the sentences that state a duty found.

``rules/sources/`` holds the five sources (the seeds, unchanged) and
``sources.yaml``, which says how each is laid out and lists the OCR scan's
misreadings. :func:`read_sources` turns each into sentences; a sentence is
*modal* when it contains a marker of a duty or a recommendation:

- the modal verbs ``skal``, ``bør``, ``må`` and their past forms ``skulle``,
  ``burde``, ``måtte`` (negated when ``ikke`` follows within three words:
  ``skal ikke``, ``bør ikke``, ``må ikke``);
- a duty named: ``plikt til`` (``har … plikt til``), ``plikter``,
  ``pliktig``, ``forplikte(r/t/lse)``, ``pålegge(r)``;
- a responsibility named: ``ansvar(et) for`` (also ``hovedansvar for``,
  ``koordineringsansvar for``), ``ansvarlig(e) for``;
- a recommendation: ``anbefal…`` (``anbefalinger om å``, ``det anbefales``).

Left out, on purpose: ``kan``/``kunne``/``får`` (a permission or a
possibility, not a duty); ``har rett til``, ``har krav på`` (a right: the duty
it implies is stated where a modal verb gives it to an actor); ``det er viktig
at``, ``det er nødvendig at``, ``forutsettes``, ``forventes`` (an expectation
with no addressee's duty); and the nouns ``taushetsplikt``,
``opplysningsplikt``, ``møteplikt`` (they name a duty that a sentence with one
of the markers above imposes).

A list item governed by a lead-in ("Ved innsettelse skal kriminalomsorgen" ·
"• gjennomføre …") is a sentence of its own whose modal marker is the
lead-in's (``inherited``); every sentence of such an item inherits it unless
it has its own. The lead-in itself is not a sentence (its items are).

Each sentence has a stable :attr:`Sentence.key`: the document, the section
and a hash of its words (lower case, punctuation and line breaks dropped), so
re-wrapping the text does not change it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .yamlread import read_yaml_model

__all__ = [
    "Sentence",
    "SourceDocument",
    "SourcesIndex",
    "modal_markers",
    "read_sources",
    "section_key",
    "words",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceLayout(_Strict):
    """How one source file is laid out (``rules/sources/sources.yaml``)."""

    file: str
    title: str
    blank_lines: Literal["break", "soft", "soft_unless_ended"]
    footnotes: bool = False
    bullets: list[str] = Field(default_factory=lambda: ["•"])
    sections: Literal["numbered", "headings"]
    corrections: list[tuple[str, str]] = Field(default_factory=list)


class SourcesIndex(_Strict):
    documents: dict[str, SourceLayout]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a source (or one list item with its lead-in's marker)."""

    document: str
    section: str  #: "5.1.1"; for a document with unnumbered headings, "Top: Heading"
    line: int  #: the 1-based line of the source file where it starts
    text: str  #: its own words, whitespace normalised, OCR misreadings corrected
    lead_in: str | None  #: the lead-in that governs it, for a list item
    markers: tuple[str, ...]  #: its modal markers, or its lead-in's (inherited)
    inherited: bool
    aliases: frozenset[str]  #: the section as a citation may name it (see section_key)
    key: str

    @property
    def modal(self) -> bool:
        return bool(self.markers)


@dataclass(frozen=True)
class SourceDocument:
    id: str
    title: str
    file: str
    sentences: tuple[Sentence, ...]

    @property
    def modal(self) -> tuple[Sentence, ...]:
        return tuple(s for s in self.sentences if s.modal)


# --- words and markers ------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of ``text``, lower case: letters and digits; punctuation, § and line breaks dropped."""
    return _WORD.findall(text.lower())


def section_key(section: str) -> str:
    """A section as compared: its words joined by spaces ("5.1.1" → "5 1 1"; "Regelverk: X" → "regelverk x")."""
    return " ".join(words(section))


_VERB = re.compile(r"\b(skal|skulle|bør|burde|må|måtte)\b((?:\W+\w+){0,2}?\W+ikke\b)?")
_NAMED = [
    ("plikt", re.compile(r"\bplikt\s+til\b|\bplikter\b|\bpliktig\w*|\bforplikt\w*|\bpålegg\w*")),
    ("ansvar", re.compile(r"\w*ansvar(?:et)?\s+for\b|\bansvarlige?\s+for\b")),
    ("anbefaling", re.compile(r"\banbefal\w*")),
]


def modal_markers(text: str) -> tuple[str, ...]:
    """The modal markers of a sentence (see the module docstring), in the order found, each once."""
    low = text.lower()
    found: list[tuple[int, str]] = []
    for m in _VERB.finditer(low):
        found.append((m.start(), m.group(1) + (" ikke" if m.group(2) else "")))
    for name, pattern in _NAMED:
        found += [(m.start(), name) for m in pattern.finditer(low)]
    return tuple(dict.fromkeys(name for _, name in sorted(found)))


# --- reading a file -----------------------------------------------------------

_URL = re.compile(r"^\s*(https?://|www\.)\S*\s*$")
_NOTE_START = re.compile(r"^\d{1,2}\s{1,2}\S")
_PAGE_START = re.compile(r"^ \S")
_NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)+|\d+\.)\s+(\S.*?)\s*$")
_PARAGRAPH_SIGN = re.compile(r"§\s*(\d+)\b")
# note marks: glued to a word ("skal13"), after a full stop ("fengsel.1"), or alone after a word at a
# line's end or before a comma ("selvskading 9", "straffegjennomføring 10,")
_MARK_GLUED = re.compile(r"(?<=[a-zæøå)])\d{1,2}(?=[\s,.;:]|$)")
_MARK_AFTER_STOP = re.compile(r"(?<=[a-zæøå)]\.)\d{1,2}(?:,\d{1,2})*(?=\s|$)")
_MARK_ALONE = re.compile(r"(?<=[a-zæøå]) \d{1,2}(?=\s*$|,)")
_NOT_BEFORE_MARK = {"kapittel", "punkt", "pkt", "nr", "regel", "avsnitt", "ledd", "bokstav", "og"}
_CONTINUES = {"å", "at", "om", "for", "med", "til", "er", "og", "i", "av", "på"}
_ABBREVIATIONS = {"jf", "pkt", "nr", "mv", "flg", "ca", "dvs", "osv", "kap", "evt", "strgjfl", "bl.a",
                  "f.eks", "e.f", "m.fl", "jfr", "ev"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"(\[])")
_ENDS = (".", ":", ";", "!", "?")


def _apply_corrections(text: str, corrections: list[tuple[str, str]]) -> str:
    """``text`` with each misreading replaced; a space in one stands for any white space (a line break
    too), which the replacement keeps where it has as many words, so line numbers do not change."""

    for wrong, right in corrections:
        pattern = r"\s+".join(re.escape(part) for part in wrong.split())
        text = re.sub(r"(?<!\w)" + pattern + r"(?!\w)", _KeepBreaks(right), text)
    return text


class _KeepBreaks:
    """A replacement that keeps the white space (line breaks) of the text it replaces."""

    def __init__(self, right: str) -> None:
        self.parts = right.split(" ")

    def __call__(self, m: re.Match[str]) -> str:
        seps = re.findall(r"\s+", m.group(0))
        if len(self.parts) != len(seps) + 1:
            return " ".join(self.parts)
        return "".join(p + (seps[i] if i < len(seps) else "") for i, p in enumerate(self.parts))


def _strip_note_marks(line: str) -> str:
    line = _MARK_GLUED.sub("", line)
    line = _MARK_AFTER_STOP.sub("", line)

    def alone(m: re.Match[str]) -> str:
        before = line[: m.start()].split()
        return m.group(0) if before and before[-1].lower().strip(".,") in _NOT_BEFORE_MARK else ""

    return _MARK_ALONE.sub(alone, line)


@dataclass
class _Para:
    kind: Literal["text", "bullet", "heading"]
    section: str
    aliases: frozenset[str]
    lines: list[tuple[int, str]]

    def text(self) -> str:
        return _join(self.lines)[0]

    def line_at(self, offset: int) -> int:
        """The source line of character ``offset`` of :meth:`text`."""
        starts = _join(self.lines)[1]
        return max((no for at, no in starts if at <= offset), default=self.lines[0][0])


def _join(lines: list[tuple[int, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The lines joined with single spaces, and (offset, line number) where each line's text starts."""
    out = ""
    starts: list[tuple[int, int]] = []
    for no, part in lines:
        part = " ".join(part.split())
        if not part:
            continue
        if out.endswith("-") and part[:1].islower() and part.split()[0] not in ("og", "eller", "og/eller"):
            if out[-2:-1].islower():
                out = out[:-1]  # a word broken at the line's end: "bosteds-" "kommune" (not "ROP-" "lidelse")
            starts.append((len(out), no))
            out += part
        else:
            out += " " if out else ""
            starts.append((len(out), no))
            out += part
    return out, starts


def _is_allcaps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _bullet(line: str, bullets: list[str]) -> str | None:
    """The item text if ``line`` starts a list item, else None."""
    stripped = line.lstrip()
    for b in bullets:
        if stripped.startswith(b) and len(stripped) > len(b) and stripped[len(b)].isspace():
            rest = stripped[len(b):].strip()
            if rest:
                return rest
    return None


def _clean_lines(raw: str, layout: SourceLayout) -> list[tuple[int, str, bool]]:
    """(line number, text, soft) for every line kept: URLs and page-foot notes dropped.

    ``soft`` marks a line of spaces that is no paragraph break (the page's end before a note)."""
    lines = raw.split("\n")
    kept: list[tuple[int, str, bool]] = []
    in_note = False
    for i, line in enumerate(lines):
        if _URL.match(line):
            continue
        if layout.footnotes:
            if in_note:
                if not _PAGE_START.match(line):
                    continue
                in_note = False
            elif (_NOTE_START.match(line) and not _NUMBERED.match(line) and i > 0
                  and lines[i - 1] != "" and not lines[i - 1].strip()):
                in_note = True
                if kept and not kept[-1][1].strip():
                    kept[-1] = (kept[-1][0], kept[-1][1], True)
                continue
            line = _strip_note_marks(line)
        kept.append((i + 1, line, False))
    return kept


def _is_break(line: str, soft: bool, layout: SourceLayout, previous: _Para | None) -> bool:
    if soft:
        return False
    if layout.blank_lines == "break":
        return True
    if layout.blank_lines == "soft":
        return line != ""  # a line of spaces breaks; an empty line does not
    if previous is None or previous.kind == "heading":
        return True
    return previous.text().rstrip().endswith(_ENDS)


def _heading_title(text: str, layout: SourceLayout, following: str | None, starts: bool) -> str | None:
    """The heading ``text`` is, or None; ``starts``: the line starts a paragraph (or follows an empty line)."""
    t = " ".join(text.split())
    if _is_allcaps(t):
        return t
    if layout.sections == "numbered":
        if _NUMBERED.match(t):
            return t
        sign = starts and not t.startswith("§") and len(t.split()) <= 6 and not t.endswith((".", ","))
        return t if sign and _PARAGRAPH_SIGN.search(t) else None
    if not starts or not t or len(t.split()) > 9 or t.endswith((".", ",", "?", "!")) or _VERB.search(t.lower()):
        return None
    if t.rstrip(":;").split()[-1].lower() in _CONTINUES:
        return None
    if following is not None and following.strip()[:1].islower() and _bullet(following, layout.bullets) is None:
        return None
    return t.rstrip(":;").strip()


def _paragraphs(raw: str, layout: SourceLayout) -> list[_Para]:
    kept = _clean_lines(raw, layout)
    paras: list[_Para] = []
    current: _Para | None = None
    top, section, aliases = "", "", frozenset({""})
    after_break = after_blank = True
    for idx, (no, line, soft) in enumerate(kept):
        if not line.strip():
            after_blank = True
            if _is_break(line, soft, layout, current):
                current, after_break = None, True
            continue
        item = _bullet(line, layout.bullets)
        if item is not None:
            current = _Para("bullet", section, aliases, [(no, item)])
            paras.append(current)
            after_break = after_blank = False
            continue
        following = next((t for _, t, _ in kept[idx + 1:] if t.strip()), None)
        starts = after_break or current is None or current.kind == "heading" or (
            after_blank and layout.blank_lines == "soft_unless_ended")
        title = _heading_title(line, layout, following, starts)
        after_break = after_blank = False
        if title is not None and current is not None and current.kind == "heading" and _is_allcaps(title) \
                and _is_allcaps(current.text()) and not _NUMBERED.match(title):
            current.lines.append((no, title))  # an ALL-CAPS heading's second line
            continue
        if title is not None:
            top, section, aliases = _section_of(title, layout, top, section, aliases)
            current = _Para("heading", section, aliases, [(no, title)])
            paras.append(current)
            continue
        if (current is not None and current.kind == "heading" and layout.sections == "numbered"
                and len(line.split()) <= 3 and (line.strip()[:1] == "(" or line.strip()[:1].islower())):
            current.lines.append((no, line))  # "7.1 Utelukkelse …" "(isolasjon)"
            continue
        if current is None or current.kind == "heading":
            current = _Para("text", section, aliases, [])
            paras.append(current)
        current.lines.append((no, line))
    return paras


def _section_of(title: str, layout: SourceLayout, top: str, section: str,
                aliases: frozenset[str]) -> tuple[str, str, frozenset[str]]:
    """(top heading, section, aliases) after heading ``title``."""
    if layout.sections == "numbered":
        m = _NUMBERED.match(title)
        if m:
            num = m.group(1).rstrip(".")
            return top, num, frozenset({section_key(num)})
        sign = _PARAGRAPH_SIGN.search(title)
        if sign and len(title.split()) <= 6:
            return top, sign.group(1), frozenset({section_key(sign.group(1))})
        return top, section, aliases
    if _is_allcaps(title):
        name = title.capitalize()
        return name, name, frozenset({section_key(name)})
    full = f"{top}: {title}" if top else title
    return top, full, frozenset({section_key(full), section_key(title)})


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    for piece in _SENTENCE_END.split(text):
        prev = parts[-1] if parts else None
        if prev is not None:
            last = prev.split()[-1].rstrip(".").lower() if prev.split() else ""
            if last in _ABBREVIATIONS:
                parts[-1] = prev + " " + piece
                continue
        parts.append(piece)
    return [p.strip() for p in parts if p.strip()]


def _key(document: str, section: str, text: str) -> str:
    digest = hashlib.sha256(" ".join(words(text)).encode()).hexdigest()[:10]
    return f"{document}|{section_key(section) or '-'}|{digest}"


def read_document(doc_id: str, raw: str, layout: SourceLayout) -> SourceDocument:
    """One source's sentences (see the module docstring)."""
    raw = _apply_corrections(raw, layout.corrections)
    paras = _paragraphs(raw, layout)
    out: list[Sentence] = []
    seen: dict[str, int] = {}

    def add(para: _Para, at: int, text: str, lead_in: str | None, markers: tuple[str, ...],
            inherited: bool) -> None:
        key = _key(doc_id, para.section, text)
        n = seen[key] = seen.get(key, 0) + 1
        if n > 1:
            key += f"-{n}"
        line = para.line_at(at)
        out.append(Sentence(doc_id, para.section, line, text, lead_in, markers, inherited, para.aliases, key))

    lead: tuple[str | None, tuple[str, ...]] = (None, ())
    for i, para in enumerate(paras):
        if para.kind == "heading":
            lead = (None, ())
            continue
        sentences = _located(para.text())
        if para.kind == "text":
            lead = (None, ())
            nxt = paras[i + 1] if i + 1 < len(paras) else None
            if nxt is not None and nxt.kind == "bullet" and sentences and not sentences[-1][1].endswith(
                    (".", "!", "?")):
                lead = (sentences[-1][1], modal_markers(sentences[-1][1]))
                sentences = sentences[:-1]
            for at, s in sentences:
                add(para, at, s, None, modal_markers(s), False)
            continue
        lead_text, lead_markers = lead
        for n, (at, s) in enumerate(sentences):
            own = modal_markers(s)
            if n == 0 and lead_markers:  # the lead-in governs the item's first sentence
                add(para, at, s, lead_text, tuple(dict.fromkeys(lead_markers + own)), True)
            else:
                add(para, at, s, lead_text, own or lead_markers, not own and bool(lead_markers))
    return SourceDocument(doc_id, layout.title, layout.file, tuple(out))


def _located(text: str) -> list[tuple[int, str]]:
    """The sentences of ``text`` with the offset each starts at."""
    out: list[tuple[int, str]] = []
    at = 0
    for s in _sentences(text):
        at = text.find(s, at)
        out.append((at, s))
        at += len(s)
    return out


def read_sources(directory: str | Path) -> tuple[SourceDocument, ...]:
    """Every source listed in ``directory/sources.yaml``, read into sentences."""
    root = Path(directory)
    index = read_yaml_model(root / "sources.yaml", SourcesIndex, "sources index")
    docs = []
    for doc_id, layout in index.documents.items():
        raw = (root / layout.file).read_text(encoding="utf-8")
        docs.append(read_document(doc_id, raw, layout))
    return tuple(docs)
