"""The Whoosh schema and its Chinese analysis: words for ranking, character n-grams for recall, pinyin.

Why three ways of cutting the same text (issue #25's measurements):
- jieba's words alone miss text it splits differently in context (市城管委 → 市城/管委, so 城管 finds
  nothing) and record character offsets as positions, so phrases never match. Word fields here only
  *rank*: a document whose words match the query's comes first.
- Every CJK run is also cut into all its 1- to 4-character pieces, so a query of up to four characters
  (most Chinese words have two) is one term lookup whose recall is that of a substring search, with no
  positions to store or compare. A longer query is every 4-character piece of it. The first version
  used bigram phrases; Whoosh's phrase matching made 3- and 4-character queries 3-5 times slower.
- Titles carry their pinyin (full and initials) from every character on, so "lajifenlei" and "ljfl"
  find 垃圾分类 as a prefix match.

jieba's dictionary is loaded once per process, before the first request needs it (``preload``, from
the follower's thread), never per request (about 0.7 s); ``jieba.analyse`` is never imported (0.55 s
and 100 MB more).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORDISH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z\u00c0-\u024f]+")
GRAM = 4  # the longest CJK piece indexed: queries up to this long are one term
PINYIN_SPAN = 10  # characters of a title each pinyin key covers: queries up to this long match

_jieba_lock = threading.Lock()
_jieba_ready = False


def jieba() -> Any:
    """The jieba module with its dictionary loaded (once per process, whichever thread asks first)."""
    global _jieba_ready
    import jieba as module

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                module.setLogLevel(logging.WARNING)
                module.initialize()
                _jieba_ready = True
    return module


def runs(text: str) -> Iterator[tuple[str, int, bool]]:
    """The CJK and alphanumeric runs of ``text``: (run, start offset, is CJK)."""
    for match in WORDISH.finditer(text):
        run = match.group()
        yield run, match.start(), bool(CJK.match(run))


def grams(text: str) -> Iterator[tuple[str, int]]:
    """(token, character offset): every 1- to ``GRAM``-character piece of each CJK run, and each Latin
    or digit run as one lowercased word."""
    for run, start, is_cjk in runs(text):
        if not is_cjk:
            yield run.lower(), start
            continue
        for i in range(len(run)):
            for size in range(1, min(GRAM, len(run) - i) + 1):
                yield run[i : i + size], start + i


class _Tokens(Tokenizer):  # type: ignore[misc]
    def _yield(
        self, pairs: Iterable[tuple[str, int]], positions: bool, chars: bool, **kwargs: Any
    ) -> Iterator[Any]:
        token = Token(positions, chars, **kwargs)
        for pos, (text, start) in enumerate(pairs):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = self._position(pos, start)
            if chars:
                token.startchar, token.endchar = start, start + len(text)
            yield token

    def _position(self, index: int, start: int) -> int:
        return index


class GramTokenizer(_Tokens):
    """CJK pieces of 1 to 4 characters (see ``grams``); the field keeps no positions."""

    def __call__(self, value, positions=False, chars=False, mode="", **kwargs):  # type: ignore[no-untyped-def]
        return self._yield(grams(value), positions, chars, mode=mode, **kwargs)


class WordTokenizer(_Tokens):
    """jieba's search-mode words (short words inside long ones too), lowercased; punctuation dropped."""

    def __call__(self, value, positions=False, chars=False, mode="", **kwargs):  # type: ignore[no-untyped-def]
        return self._yield(words(value), positions, chars, mode=mode, **kwargs)


def words(text: str) -> Iterator[tuple[str, int]]:
    for word, start, _end in jieba().tokenize(text, mode="search"):
        if WORDISH.search(word):
            yield word.lower(), start


def pinyin_keys(title: str) -> str:
    """Space-separated pinyin keys of ``title``: from each character on, full pinyin and initials."""
    from pypinyin import lazy_pinyin

    chars = "".join(CJK.findall(title))
    if not chars:
        return ""
    full = lazy_pinyin(chars, errors="ignore")
    initials = [syllable[0] for syllable in full if syllable]
    keys = set()
    for i in range(len(full)):
        keys.add("".join(full[i : i + PINYIN_SPAN]))
        keys.add("".join(initials[i : i + PINYIN_SPAN]))
    return " ".join(sorted(k for k in keys if k))


def preload() -> None:
    """Load jieba's dictionary and pypinyin's tables now, so no request pays for it (a second or two)."""
    jieba()
    pinyin_keys("预热")


def pinyin_match(title: str, typed: str) -> str | None:
    """The characters of ``title`` whose pinyin (full, or initials) begins with ``typed``, if any:
    what a pinyin query matched, so the title can show it marked."""
    from pypinyin import lazy_pinyin

    typed = typed.lower()
    chars = [c for c in title if CJK.match(c)]
    syllables = lazy_pinyin("".join(chars), errors="ignore")
    if not typed or len(syllables) != len(chars):  # a character without pinyin: nothing safe to mark
        return None
    for start in range(len(chars)):
        for initials in (False, True):
            spelled, end = "", start
            while end < len(chars) and len(spelled) < len(typed):
                spelled += syllables[end][0] if initials else syllables[end]
                end += 1
            if spelled.startswith(typed):
                return "".join(chars[start:end])
    return None


def make_schema() -> Schema:
    """Fields: the document's key, kind, group and cell for filters, time for filters and recency,
    words of title and body, n-grams of both (and of the title alone, for its boost), the title's
    pinyin, and the text for snippets."""
    words_analyzer = WordTokenizer()
    gram_analyzer = GramTokenizer()
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True),
        group=ID,
        cell=ID,
        ts=NUMERIC(int, bits=64, stored=True, sortable=True, signed=False),
        title=TEXT(analyzer=words_analyzer, phrase=False, field_boost=3.0),
        body=TEXT(analyzer=words_analyzer, phrase=False),
        grams=TEXT(analyzer=gram_analyzer, phrase=False),
        title_grams=TEXT(analyzer=gram_analyzer, phrase=False, field_boost=3.0),
        # scorable only so it has a lengths column: without one Whoosh stats a missing file for every
        # posting at commit (a third of the build time)
        pinyin=KEYWORD(lowercase=True, scorable=True),
        title_text=STORED,
        body_text=STORED,
    )
