"""The most frequent words and two-word phrases of citizens' comments.

Vietnamese writes one syllable per word-piece ("hồ sơ", "cán bộ", "nhiệt tình"),
so single words say little and the two-word phrases carry most of the meaning.

Stop words are the grammatical words and pronouns that fill any sentence. The
negations ("không", "chưa", "chẳng", ...) are deliberately *not* stop words:
"không nhiệt tình" and "nhiệt tình" say opposite things, and a manager must see
"không hài" or "chưa hướng" rise among the phrases, not only "hài lòng".
So do the words of the usual complaints and requests, common as they are: "bị"
and "lại" ("bị trả lại", "đi lại nhiều lần"), "làm việc", "nhanh hơn".

Words are compared as typed, with their diacritics, so that "chậm" (slow) and
"chấm" (to mark) stay apart. A comment typed wholly without accents ("ho so
nhanh") is read with the spellings the accented comments use most ("hồ sơ
nhanh"), because that is what its writer meant; a word of it no accented comment
has is a stop word when a stop word folds to it ("cua" is "của").
Each word or phrase counts once per comment: a number reads "in N comments".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from surveyapp.models.text import fold

STOP_WORDS = frozenset(
    """
    à ạ ai anh ấy bà bác bằng bởi cả các cái càng cháu chị chiếc chính cho chỉ
    chúng có còn cô của cũng đã đang đây để đến đều điều đó được đc dc em gì hay
    họ hoặc khi là lắm mà mình mới một nào này nên nếu nhé như những nữa ơi ở
    ông quá ra rằng rất rồi sẽ sự tại thấy thế theo thì tôi trên trong từ và vào
    vẫn về vì với vừa
    """.split()
)
FOLDED_STOP_WORDS = frozenset(fold(word) for word in STOP_WORDS)

TOP = 10
# A word of one comment only is an anecdote, not a theme.
MIN_COMMENTS = 2
# A run of letters is a word; anything else but spaces ends a phrase.
TOKEN = re.compile(r"([^\W\d_]+)|[^\s]")


@dataclass(frozen=True)
class FrequentTerms:
    """The top words and two-word phrases, each with the comments it is in."""

    words: list[tuple[str, int]]
    phrases: list[tuple[str, int]]
    # Comments read, and whether more were selected than were read.
    read: int
    capped: bool


def tokens(body: str) -> list[str | None]:
    """The words of `body` in lower case; None where punctuation ends a phrase."""
    text = unicodedata.normalize("NFC", body.lower())
    return [match.group(1) for match in TOKEN.finditer(text)]


def _is_accented(words: list[str | None]) -> bool:
    return any(word is not None and not word.isascii() for word in words)


def _spellings(comments: list[list[str | None]]) -> dict[str, str]:
    """Folded word -> its spelling most used in the comments typed with accents."""
    counts = Counter(
        word
        for words in comments
        if _is_accented(words)
        for word in words
        if word is not None
    )
    best: dict[str, str] = {}
    for word, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        best.setdefault(fold(word), word)
    return best


def _as_meant(words: list[str | None], spellings: dict[str, str]) -> list[str | None]:
    """The words of an unaccented comment as the accented comments spell them."""
    if _is_accented(words):
        return words
    meant: list[str | None] = []
    for word in words:
        if word is None:
            meant.append(None)
        elif word in spellings:
            meant.append(spellings[word])
        else:
            # Unknown without accents: as ambiguous as the stop words it folds to.
            meant.append(None if word in FOLDED_STOP_WORDS else word)
    return meant


def comment_terms(words: list[str | None]) -> tuple[set[str], set[str]]:
    """The words and two-word phrases of one comment, stop words out."""
    found: set[str] = set()
    phrases: set[str] = set()
    previous: str | None = None
    for word in words:
        if word is None or word in STOP_WORDS:
            previous = None
            continue
        found.add(word)
        if previous is not None:
            phrases.add(f"{previous} {word}")
        previous = word
    return found, phrases


def _top(per_comment: list[set[str]]) -> list[tuple[str, int]]:
    counts = Counter(term for terms in per_comment for term in terms)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(term, count) for term, count in ranked if count >= MIN_COMMENTS][:TOP]


def frequent_terms(bodies: Iterable[str], limit: int) -> FrequentTerms:
    """The top words and phrases of the first `limit` of `bodies`.

    `bodies` may hold one more than `limit`: that one only tells that the
    selection was capped.
    """
    comments = [tokens(body) for body in islice(bodies, limit + 1)]
    capped = len(comments) > limit
    comments = comments[:limit]
    spellings = _spellings(comments)
    terms = [comment_terms(_as_meant(words, spellings)) for words in comments]
    return FrequentTerms(
        _top([words for words, _ in terms]),
        _top([phrases for _, phrases in terms]),
        len(comments),
        capped,
    )
