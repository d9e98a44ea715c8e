"""Text analysis shared by indexing and querying, whatever the backend.

Documents are analysed here once into whitespace-separated tokens; every backend indexes
those tokens as they are (SQLite FTS5 ``unicode61``, PostgreSQL ``simple``, Elasticsearch
``whitespace``), so the three agree on what a word is. Queries are analysed by the same
functions, plus synonym expansion at query time (see :func:`analyse_query`): a word of an
editors' synonym set stands for any word of the set, and for the set's topic when it has
one (:class:`TermSet`, :class:`TopicLead`), so a need said in everyday words finds that
topic's services (each service of a topic is indexed with the topic's token).

- Folding: NFKC (full-width letters and digits to half-width), traditional to simplified
  Chinese (OpenCC), lower case.
- Words: jieba in search mode (a long word and the shorter words inside it), with the
  domain dictionary ``search/seed/domain_dict.txt``.
- Pinyin: for names, alternate names and keywords, the full pinyin and the initials of each
  word and of the whole name, so ``yizhen``, ``yz`` and ``laonianzheng`` find 义诊 and 老年证.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent / "seed"
DOMAIN_DICTIONARY = SEED_DIR / "domain_dict.txt"
STOPWORDS_FILE = SEED_DIR / "query_stopwords.txt"

#: A token is a run of letters and digits (CJK included); everything else separates.
WORD = re.compile(r"\w+", re.UNICODE)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_RUN = re.compile(r"[a-z]+")
LATIN_ANY = re.compile(r"[a-z]")
#: Longest query the analyser looks at; the rest is ignored (and the user told so).
MAX_QUERY_LENGTH = 100

_jieba_lock = threading.Lock()


@functools.cache
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


@functools.cache
def _tokenizer():
    """A private jieba tokenizer with the domain dictionary (jieba's global one is shared
    with anything else in the process)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with _jieba_lock:
        tokenizer.initialize()
        if DOMAIN_DICTIONARY.exists():
            tokenizer.load_userdict(str(DOMAIN_DICTIONARY))
    return tokenizer


#: Parts of speech of jieba's dictionary that carry no need of their own: adverbs (不, 特别,
#: 一直), numerals and measure words (好几个, 月, 些), pronouns (在家, 这边), prepositions,
#: conjunctions, particles, modal words, interjections and places relative to something
#: (上, 里). Time words (暑假, 晚上) are not among them: they say when a service is wanted.
FUNCTION_TAGS = frozenset(
    {
        "d",
        "m",
        "mq",
        "q",
        "r",
        "p",
        "c",
        "y",
        "e",
        "f",
        "zg",
        "u",
        "uj",
        "ul",
        "uz",
        "ug",
        "ud",
        "uv",
    }
)
#: Rarer dictionary words than this are not worth holding in memory as function words.
FUNCTION_WORD_MIN_FREQUENCY = 20


@functools.cache
def function_words() -> frozenset[str]:
    """Words jieba's own dictionary tags as function words (:data:`FUNCTION_TAGS`), read
    from the dictionary file it ships (no network)."""
    import jieba

    words = set()
    path = Path(jieba.__file__).with_name("dict.txt")
    with path.open(encoding="utf-8") as dictionary:
        for line in dictionary:
            parts = line.split()
            if (
                len(parts) == 3
                and parts[2] in FUNCTION_TAGS
                and int(parts[1]) >= FUNCTION_WORD_MIN_FREQUENCY
            ):
                words.add(parts[0])
    return frozenset(words)


@functools.cache
def query_stopwords() -> frozenset[str]:
    """Words residents add around what they look for (怎么办, 我想, 哪里): dropped from a
    query unless nothing else is left."""
    if not STOPWORDS_FILE.exists():
        return frozenset()
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        word for line in lines if not line.startswith("#") for word in line.split() if word
    )


def fold(text: str) -> str:
    """Normalise for matching: NFKC, traditional → simplified, lower case."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if CJK.search(text):
        text = _simplified(text)
    return text.lower()


@functools.lru_cache(maxsize=4096)
def _simplified(text: str) -> str:
    # OpenCC is pure Python and slow; the same names and descriptions come back with
    # every search that shows them (highlighting folds them), so their folding is kept.
    return _converter().convert(text)


def words(text: str, *, search_mode: bool = True) -> list[str]:
    """The words of already folded ``text``: jieba segments (search mode adds the shorter
    words inside long ones), punctuation and spaces dropped."""
    tokenizer = _tokenizer()
    tokens: list[str] = []
    for run in WORD.findall(text):
        if not CJK.search(run):
            tokens.append(run)
            continue
        pieces = tokenizer.cut_for_search(run) if search_mode else tokenizer.cut(run)
        tokens.extend(piece for piece in pieces if WORD.fullmatch(piece))
    return tokens


def analyse(text: str) -> list[str]:
    """Index tokens of a free text."""
    return words(fold(text))


@functools.lru_cache(maxsize=20000)
def _pinyin(word: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    full = "".join(lazy_pinyin(word, errors="default"))
    initials = "".join(lazy_pinyin(word, style=Style.FIRST_LETTER, errors="default"))
    return re.sub(r"\W", "", full.lower()), re.sub(r"\W", "", initials.lower())


def pinyin_of(word: str) -> tuple[str, str]:
    """(full pinyin, initials) of a folded word: 义诊 → ("yizhen", "yz")."""
    return _pinyin(word)


def pinyin_tokens(names: Iterable[str]) -> list[str]:
    """Pinyin tokens for short texts residents type by name (service names, alternate
    names, keywords): per word and for the whole name, full pinyin and initials."""
    tokens: list[str] = []
    for name in names:
        folded = fold(name)
        for run in WORD.findall(folded):
            if not CJK.search(run):
                continue
            for piece in [run, *words(run)]:
                full, initials = pinyin_of(piece)
                tokens.extend(token for token in (full, initials) if token)
    return _unique(tokens)


def _unique(tokens: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(tokens))


# Query analysis ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    """One way to match a query word: all ``tokens`` must occur (a synonym such as 最低生活
    保障 may be several words); ``prefix`` allows the last token to be a prefix (pinyin
    typed so far); ``pinyin`` says the tokens are pinyin, matched against pinyin fields."""

    tokens: tuple[str, ...]
    prefix: bool = False
    pinyin: bool = False


@dataclass(frozen=True)
class Group:
    """One word of the query and what may stand for it (itself, its synonyms, its pinyin).
    ``surface`` is what to highlight in results."""

    word: str
    alternatives: tuple[Alternative, ...]
    surface: tuple[str, ...] = ()
    #: A function word with no synonyms (不, 特别, 好几个 in 脖子酸疼好几个月): it says
    #: nothing of the need, so it is neither required nor, when words are matched loosely,
    #: enough on its own to find a service (特别 would find 特别扶助金).
    function: bool = False

    @property
    def optional(self) -> bool:
        """A lone Chinese character with no synonyms (岁 in 65岁体检, 修 untaught) narrows
        too much to be required; it still counts when words are matched loosely."""
        if self.function:
            return True
        alone = [alt for alt in self.alternatives if not alt.prefix]
        return len(alone) == 1 and len(self.word) == 1 and bool(CJK.match(self.word))


@dataclass
class AnalysedQuery:
    """A query as the backends see it: every group must match (strict); when nothing
    does, backends may retry with any group matching (relaxed)."""

    text: str
    folded: str
    groups: list[Group] = field(default_factory=list)
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def highlight_terms(self) -> list[str]:
        terms = {term for group in self.groups for term in group.surface if term}
        return sorted(terms, key=len, reverse=True)

    def homophone_groups(self) -> list[Group]:
        """The query read by its sound: its Chinese words become one group matched against
        the pinyin of names, either as a whole (老年正 → laonianzheng, the sound of 老年证)
        or word by word; other groups stay as they are."""
        chinese = [group for group in self.groups if CJK.search(group.word)]
        if not chinese:
            return list(self.groups)
        sounds = [pinyin_of(group.word)[0] for group in chinese]
        alternatives = [Alternative(("".join(sounds),), pinyin=True)]
        if len(sounds) > 1:
            alternatives.append(Alternative(tuple(sounds), pinyin=True))
        surface = tuple(term for group in chinese for term in group.surface)
        merged = Group("".join(g.word for g in chinese), tuple(alternatives), surface)
        return [merged, *(group for group in self.groups if not CJK.search(group.word))]


def topic_token(code: str) -> str:
    """The token each service of a topic is indexed with (topic ``daily_life`` →
    ``topicdailylife``), in its description field: one word no name or description uses,
    so a need led to the topic finds the topic's services and nothing else, and counts no
    more than a word of a description does."""
    return "topic" + re.sub(r"[^0-9a-z]", "", fold(code))


class TopicLead(str):
    """A topic's name among a synonym set's terms (what a need leads to): it reads as the
    name (highlighting, the admin's preview) but is matched as the topic's token
    (:func:`topic_token`), not as the words of the name. Those words would also find
    every service whose name shares one (健康 of 医疗健康 in 慢性病防治健康讲座, 养老 in
    a pension) and rank it with the services that answer the need's own words."""

    code: str

    def __new__(cls, name: str, code: str) -> TopicLead:
        lead = super().__new__(cls, name)
        lead.code = code
        return lead

    def __reduce__(self):
        return TopicLead, (str(self), self.code)


@dataclass(frozen=True)
class TermSet:
    """A synonym set whose ``terms`` also find what ``leads_to`` names, one way: a need in
    everyday words (老人没人照顾) finds its topic's services through the topic (养老, a
    :class:`TopicLead`), but the topic's name does not bring the need's words in."""

    terms: tuple[str, ...]
    leads_to: tuple[str, ...] = ()


def synonym_index(synonym_sets: Iterable[Iterable[str] | TermSet]) -> dict[str, tuple[str, ...]]:
    """term → all folded terms of its set(s), then what those sets lead to (one way)."""
    index: dict[str, list[str]] = {}
    one_way: dict[str, list[str]] = {}
    for item in synonym_sets:
        terms, leads_to = (item.terms, item.leads_to) if isinstance(item, TermSet) else (item, ())
        folded = _folded_terms(terms)
        extra = _folded_terms(leads_to)
        for term in folded:
            index[term] = _unique_terms([*index.get(term, []), *folded])
            if extra:
                one_way[term] = _unique_terms([*one_way.get(term, []), *extra])
    return {
        term: tuple(_unique_terms([*terms, *one_way.get(term, [])]))
        for term, terms in index.items()
    }


def _folded_terms(terms: Iterable[str]) -> list[str]:
    return _unique_terms(
        TopicLead(fold(term).strip(), term.code)
        if isinstance(term, TopicLead)
        else fold(term).strip()
        for term in terms
        if term and term.strip()
    )


def _unique_terms(terms: Iterable[str]) -> list[str]:
    """Distinct terms, a topic lead kept apart from the same word typed as a term."""
    seen: dict[tuple, str] = {}
    for term in terms:
        key = ("topic", term.code) if isinstance(term, TopicLead) else ("word", term)
        seen.setdefault(key, term)
    return list(seen.values())


def _split_query(folded: str, synonyms: dict[str, tuple[str, ...]]) -> Iterator[str]:
    """Query words: synonym terms found in the text first (longest match, so an editor's
    new term works without teaching jieba), jieba's precise cut for the rest."""
    longest = max((len(term) for term in synonyms), default=0)
    for run in WORD.findall(folded):
        if not CJK.search(run):
            # Latin letters and digits: split where the script changes (社保ka, 65岁).
            yield from (part for part in re.findall(r"[a-z]+|\d+|[^\da-z]+", run) if part)
            continue
        position, pending = 0, ""
        while position < len(run):
            match = next(
                (
                    run[position : position + size]
                    for size in range(min(longest, len(run) - position), 0, -1)
                    if run[position : position + size] in synonyms
                ),
                None,
            )
            if match:
                if pending:
                    yield from _precise(pending)
                    pending = ""
                yield match
                position += len(match)
            else:
                pending += run[position]
                position += 1
        if pending:
            yield from _precise(pending)


def _precise(text: str) -> list[str]:
    result = []
    for piece in words(text, search_mode=False):
        result.extend(re.findall(r"[a-z]+|\d+|[^\da-z]+", piece))
    return result


def _phrase(term: str) -> Alternative:
    """A synonym as the words it must match; words residents put around a need (空调坏了's
    了) are not required of a service."""
    tokens = _precise(term)
    stopwords = query_stopwords()
    return Alternative(tuple(t for t in tokens if t not in stopwords) or tuple(tokens) or (term,))


def analyse_query(text: str, synonyms: dict[str, tuple[str, ...]] | None = None) -> AnalysedQuery:
    """Analyse what a resident typed. ``synonyms`` comes from :func:`synonym_index` over
    the editors' synonym sets, read at query time so an edit applies at once."""
    synonyms = synonyms or {}
    text = text or ""
    truncated = len(text) > MAX_QUERY_LENGTH
    folded = fold(text[:MAX_QUERY_LENGTH]).strip()
    stopwords = query_stopwords()
    runs = [(run, [p for p in _split_query(run, synonyms) if p]) for run in WORD.findall(folded)]
    meaningful = [p for _, pieces in runs for p in pieces if p not in stopwords]
    keep = (lambda piece: piece not in stopwords) if meaningful else (lambda piece: True)
    groups: list[Group] = []
    for run, pieces in runs:
        pieces = [piece for piece in pieces if keep(piece)]
        if not pieces:
            continue
        if CJK.search(run) and LATIN_ANY.search(run):
            groups.append(_mixed_group(run, pieces))
        else:
            run_groups = [_group(piece, synonyms) for piece in pieces]
            if len(run_groups) > 1 and run_groups[-1].optional:
                run_groups[-1] = _continued(run_groups[-1], "".join(pieces[-2:]))
            groups.extend(run_groups)
    unique = list({group.word: group for group in groups}.values())
    return AnalysedQuery(text=text, folded=folded, groups=unique, truncated=truncated)


def _mixed_group(run: str, pieces: list[str]) -> Group:
    """Chinese and pinyin in one run (老年zheng, 社保ka): residents switch to pinyin for a
    character they cannot find, so the run is read as pinyin throughout."""
    from pypinyin import lazy_pinyin

    sound = re.sub(r"\W", "", "".join(lazy_pinyin(run, errors="default")).lower())
    alternatives = (Alternative((sound,), prefix=True, pinyin=True), Alternative(tuple(pieces)))
    return Group(run, alternatives, tuple(pieces))


def _group(word: str, synonyms: dict[str, tuple[str, ...]]) -> Group:
    if LATIN_RUN.fullmatch(word):
        # Latin letters: a word (wifi) or pinyin typed on a kiosk, possibly unfinished.
        alternatives = (Alternative((word,)), Alternative((word,), prefix=True, pinyin=True))
        return Group(word, alternatives, (word,))
    terms = synonyms.get(word, (word,))
    phrases = [_phrase(term) for term in terms if not isinstance(term, TopicLead)]
    leads = [topic_token(term.code) for term in terms if isinstance(term, TopicLead)]
    alternatives = [*phrases, *(Alternative((lead,)) for lead in leads)]
    return Group(
        word,
        tuple(_unique_alternatives(alternatives)),
        tuple(dict.fromkeys(str(term) for term in terms)),
        function=len(terms) == 1 and word in function_words(),
    )


def _continued(group: Group, stem: str) -> Group:
    """A lone character at the end of a run is often a word cut short (家庭医 for 家庭医生):
    let it also match words that begin with it and the word before."""
    continuation = Alternative((stem,), prefix=True)
    return Group(
        group.word, (*group.alternatives, continuation), (*group.surface, stem), group.function
    )


def _unique_alternatives(alternatives: Iterable[Alternative]) -> Iterator[Alternative]:
    seen = set()
    for alternative in alternatives:
        if alternative not in seen:
            seen.add(alternative)
            yield alternative


# Highlighting -----------------------------------------------------------------------------


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of ``text`` where any of the (folded) ``terms`` occurs, matched on
    the folded text so 老年證 in a query marks 老年证 in a name."""
    folded = fold(text)
    if len(folded) != len(text):
        # NFKC changed the length (rare ligatures): fall back to the unfolded text.
        folded = text.lower()
    spans: list[tuple[int, int]] = []
    for term in sorted({term for term in terms if term}, key=len, reverse=True):
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = folded.find(term, end)
    return sorted(spans)


def pinyin_highlight_terms(text: str, typed: str) -> list[str]:
    """Words of ``text`` whose pinyin or initials start with the pinyin ``typed``."""
    typed = typed.lower()
    found = []
    for word in words(fold(text), search_mode=False):
        full, initials = pinyin_of(word)
        if full.startswith(typed) or initials.startswith(typed) or typed.startswith(full):
            found.append(word)
    return found
