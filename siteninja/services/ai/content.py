"""The built-in content optimizer: readability, keyword density, suggestions and a rewritten text."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from siteninja.services.ai import text

LONG_SENTENCE = 25
MIN_WORDS = 50
LONG_PARAGRAPH = 150
MAX_DENSITY = 3.0
MIN_DENSITY = 0.5
PENALTY = {"error": 15, "warning": 8, "info": 3}
TONES = ("neutral", "professional", "formal", "friendly", "casual", "persuasive")

_IRREGULAR = (
    "built|done|made|given|taken|written|seen|shown|found|held|kept|sold|told|paid|sent|brought|known|"
    "chosen|driven|eaten|grown|hidden|led|left|lost|meant|put|read|run|set|spent|thrown|won|worn|cut|hit|"
    "caught|taught|bought|thought|fed|felt|heard|laid|met|won|understood"
)
_PASSIVE = re.compile(
    rf"\b(?:am|is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?(?:\w{{2,}}ed|{_IRREGULAR})\b", re.I
)
# Where a long sentence may be split: the connector, and how the second half starts.
_SPLITS = (
    (re.compile(r";\s+"), ""),
    (re.compile(r",\s+and\s+"), ""),
    (re.compile(r",\s+(but|so|yet)\s+"), r"\1 "),
)
_EXCLAIMS = re.compile(r"([!?])[!?]+")
_CONTRACTIONS = {
    "can't": "cannot",
    "won't": "will not",
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "we're": "we are",
    "you're": "you are",
    "they're": "they are",
    "we've": "we have",
    "i'm": "I am",
    "let's": "let us",
}
_CONTRACTION = re.compile(
    r"\b(" + "|".join(re.escape(c).replace("'", "['\u2019]") for c in _CONTRACTIONS) + r")\b", re.I
)
KEYWORD_LEADS = {
    "friendly": "Here you will find everything about {}.",
    "casual": "It's all about {}.",
    "persuasive": "Discover {} today.",
}
DEFAULT_LEAD = "This page covers {}."


def optimize(content: str, *, tone: str = "neutral", keywords: Sequence[str] = ()) -> dict[str, Any]:
    """Score, readability, keyword density and suggestions for ``content``, and an improved copy.

    ``content`` may be plain text or rich text; the improved copy is the same kind, and as rich
    text it holds only ``<p>`` paragraphs of escaped text, which the sanitizer leaves as they are.
    """
    is_html = text.looks_like_html(content)
    plain = text.html_to_text(content) if is_html else text.normalize(content)
    keywords = _unique(keywords)
    readability = text.readability(plain)
    suggestions = _suggestions(plain, tone, keywords, readability)
    penalty = sum(PENALTY[s["severity"]] for s in suggestions)
    score = round(0.7 * max(0, 100 - penalty) + 0.3 * readability["flesch_reading_ease"])
    return {
        "score": max(0, min(100, score)),
        "readability": readability,
        "keyword_density": text.keyword_density(plain, keywords),
        "suggestions": suggestions,
        "optimized_content": render(rewrite(plain, tone=tone, keywords=keywords), as_html=is_html),
    }


def render(paragraphs: Sequence[str], *, as_html: bool) -> str:
    """Paragraphs as plain text (blank lines between) or as ``<p>`` elements of escaped text."""
    if as_html:
        return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return "\n\n".join(paragraphs)


def rewrite(plain: str, *, tone: str, keywords: Sequence[str]) -> list[str]:
    """The improved paragraphs: long sentences split, shouting calmed, formal tone without
    contractions, and the target keywords the first paragraph lacks worked into it."""
    paragraphs = []
    for paragraph in text.paragraphs(plain):
        paragraph = _EXCLAIMS.sub(r"\1", paragraph)
        if tone in ("formal", "professional"):
            paragraph = _CONTRACTION.sub(_expand, paragraph)
        parts = [piece for sentence in text.sentences(paragraph) for piece in split_long(sentence)]
        paragraphs.append(" ".join(parts))
    first = next((i for i, p in enumerate(paragraphs) if text.is_prose(p)), 0)
    if paragraphs:
        missing = [k for k in keywords if not text.contains(paragraphs[first], k)]
        if missing:
            lead = KEYWORD_LEADS.get(tone, DEFAULT_LEAD).format(text.join_list(missing))
            paragraphs[first] = f"{paragraphs[first]} {lead}"
    return paragraphs


def split_long(sentence: str, depth: int = 0) -> list[str]:
    """A sentence of more than 25 words split at the connector nearest its middle (recursively)."""
    count = len(text.words(sentence))
    if count <= LONG_SENTENCE or depth > 3:
        return [sentence]
    best = _best_split(sentence, count)
    if best is None:
        return [sentence]
    start, end, lead = best
    head = sentence[:start].rstrip(" ,;") + "."
    tail = lead + sentence[end:]
    tail = tail[:1].upper() + tail[1:]
    return split_long(head, depth + 1) + split_long(tail, depth + 1)


def _best_split(sentence: str, count: int) -> tuple[int, int, str] | None:
    """(start, end, how the tail starts) of the split nearest the middle leaving 5+ words each side."""
    candidates = []
    for pattern, lead in _SPLITS:
        for match in pattern.finditer(sentence):
            before = len(text.words(sentence[: match.start()]))
            if before >= 5 and count - before >= 5:
                candidates.append((abs(before - count / 2), match.start(), match.end(), match.expand(lead)))
    if not candidates:
        return None
    _, start, end, lead = min(candidates)
    return start, end, lead


def _expand(match: re.Match) -> str:
    word = match.group(0)
    expanded = _CONTRACTIONS[word.lower().replace("\u2019", "'")]
    return expanded[:1].upper() + expanded[1:] if word[:1].isupper() else expanded


def _unique(keywords: Sequence[str]) -> list[str]:
    seen, unique = set(), []
    for keyword in keywords:
        key = " ".join(text.words(keyword.lower()))
        if key and key not in seen:
            seen.add(key)
            unique.append(keyword.strip())
    return unique


def _suggestions(
    plain: str, tone: str, keywords: Sequence[str], readability: dict[str, float]
) -> list[dict[str, str]]:
    found = _readability_suggestions(plain, readability)
    found += _keyword_suggestions(plain, keywords)
    found += _tone_suggestions(plain, tone)
    return found


def _readability_suggestions(plain: str, readability: dict[str, float]) -> list[dict[str, str]]:
    found = []
    all_sentences = [s for p in text.paragraphs(plain) for s in text.sentences(p)]
    lengths = [len(text.words(s)) for s in all_sentences]
    long = [n for n in lengths if n > LONG_SENTENCE]
    if long:
        found.append(
            _hint(
                "sentence_length",
                f"{len(long)} sentence(s) longer than {LONG_SENTENCE} words (the longest has {max(long)}): "
                "split them; the optimized text does where it can.",
                "warning",
            )
        )
    ease = readability["flesch_reading_ease"]
    if ease < 50:
        level = "very difficult" if ease < 30 else "difficult"
        message = f"Reading ease {ease} is {level}: use shorter words and sentences."
        found.append(_hint("readability", message, "error" if ease < 30 else "warning"))
    passive = sorted({m.group(0).lower() for m in _PASSIVE.finditer(plain)})
    if passive:
        examples = ", ".join(f"'{p}'" for p in passive[:5])
        severity = "warning" if len(passive) * 5 > max(1, len(all_sentences)) else "info"
        found.append(_hint("passive_voice", f"Passive voice: {examples}. Say who does what.", severity))
    total = len(text.words(plain))
    if total < MIN_WORDS:
        found.append(
            _hint("length", f"Only {total} words: add detail readers and search engines can use.", "warning")
        )
    longest = max((len(text.words(p)) for p in text.paragraphs(plain)), default=0)
    if longest > LONG_PARAGRAPH:
        found.append(_hint("paragraph_length", f"A paragraph has {longest} words: break it up.", "info"))
    return found


def _keyword_suggestions(plain: str, keywords: Sequence[str]) -> list[dict[str, str]]:
    found = []
    density = text.keyword_density(plain, keywords)
    prose = [p for p in text.paragraphs(plain) if text.is_prose(p)] or text.paragraphs(plain) or [""]
    first = prose[0]
    for keyword in keywords:
        share = density[keyword]
        if share == 0:
            found.append(_hint("keyword_missing", f"'{keyword}' does not appear in the text.", "error"))
            continue
        if share > MAX_DENSITY:
            found.append(
                _hint(
                    "keyword_density",
                    f"'{keyword}' is {share}% of the words: it reads as stuffing.",
                    "warning",
                )
            )
        elif share < MIN_DENSITY:
            found.append(_hint("keyword_density", f"'{keyword}' is only {share}% of the words.", "info"))
        if not text.contains(first, keyword):
            found.append(_hint("keyword_placement", f"Mention '{keyword}' in the first paragraph.", "info"))
    return found


def _tone_suggestions(plain: str, tone: str) -> list[dict[str, str]]:
    lowered = [w.lower() for w in text.words(plain)]
    if tone in ("friendly", "casual", "persuasive") and not {"you", "your"} & set(lowered):
        return [_hint("tone", "Speak to the reader: use 'you' and 'your'.", "info")]
    if tone in ("formal", "professional") and (_CONTRACTION.search(plain) or "!" in plain):
        return [_hint("tone", "Contractions and exclamation marks read as informal.", "info")]
    return []


def _hint(kind: str, message: str, severity: str) -> dict[str, str]:
    return {"type": kind, "message": message, "severity": severity}
