"""Frequent words and phrases of comments: stop words, negations, spellings."""

from __future__ import annotations

from surveyapp.dashboard.words import comment_terms, frequent_terms, tokens


def test_stop_words_go_and_break_phrases_but_negations_stay() -> None:
    words, phrases = comment_terms(
        tokens("Cán bộ KHÔNG nhiệt tình, và rất chậm trả hồ sơ!")
    )
    assert {"và", "rất"}.isdisjoint(words)
    assert {"không", "nhiệt", "tình", "hồ", "sơ"} <= words
    assert {"cán bộ", "không nhiệt", "nhiệt tình", "trả hồ", "hồ sơ"} <= phrases
    # Punctuation and stop words end a phrase.
    assert "tình và" not in phrases and "tình chậm" not in phrases
    assert "bộ không" in phrases


def test_unaccented_words_count_with_their_accented_spelling_once_per_comment() -> None:
    terms = frequent_terms(
        [
            "Hồ sơ bị trả lại, hồ sơ thiếu",
            "ho so nhanh",
            "Hồ sơ nhanh gọn",
            "chậm",
            "chấm điểm",
            "cua toi",  # "của tôi" typed without accents: stop words too
            "cua toi",
        ],
        limit=100,
    )
    assert ("hồ sơ", 3) in terms.phrases
    assert ("hồ", 3) in terms.words and ("nhanh", 2) in terms.words
    # Different words that only fold alike stay apart (and once each is too few).
    assert all(word not in ("chậm", "chấm", "cham") for word, _ in terms.words)
    assert all(word not in ("cua", "toi") for word, _ in terms.words)
    assert terms.read == 7 and not terms.capped


def test_at_most_limit_comments_are_read_and_the_cap_is_told() -> None:
    bodies = ["thủ tục rườm rà"] * 3 + ["cán bộ tận tình"] * 5
    capped = frequent_terms(bodies, limit=7)
    assert capped.capped and capped.read == 7
    assert ("thủ tục", 3) in capped.phrases and ("cán bộ", 4) in capped.phrases
    whole = frequent_terms(bodies, limit=8)
    assert not whole.capped and ("cán bộ", 5) in whole.phrases
