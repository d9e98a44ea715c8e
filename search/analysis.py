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

import dataclasses
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
#: A Chinese character, or a run of anything else: the items pypinyin reads one by one.
CHARACTER_OR_RUN = re.compile(rf"{CJK.pattern}|(?:(?!{CJK.pattern}).)+")
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
    """Normalise for matching: NFKC, traditional → simplified, lower case, pinyin's tone
    marks dropped (yī bǎo kǎ → yi bao ka; ü → v, as pypinyin spells it: lǜ → lv)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if CJK.search(text):
        text = _simplified(text)
    if TONE_MARKED.search(text):
        text = _without_tone_marks(text)
    return text.lower()


#: Latin letters with a diacritic (pinyin's tone marks, ü).
TONE_MARKED = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")


def _without_tone_marks(text: str) -> str:
    # One character stays one character (highlighting maps folded spans onto the text).
    return "".join(_unmarked(char) if TONE_MARKED.match(char) else char for char in text)


def _unmarked(char: str) -> str:
    parts = unicodedata.normalize("NFD", char)
    base = "".join(c for c in parts if not unicodedata.combining(c))
    if base in "uU" and "\u0308" in parts:  # ü, ǖ ǘ ǚ ǜ
        return "v" if base == "u" else "V"
    return unicodedata.normalize("NFC", base) if len(base) == 1 else char


#: Pinyin typed with tone numbers (yi1bao3ka3): the numbers go.
TONE_NUMBERED = re.compile(r"(?:[a-z]+[1-5]){2,}[a-z]*")


@functools.lru_cache(maxsize=4096)
def _simplified(text: str) -> str:
    # OpenCC is pure Python and slow; the same names and descriptions come back with
    # every search that shows them (highlighting folds them), so their folding is kept.
    return _converter().convert(text)


def load_analysers() -> None:
    """Load jieba's dictionary (with the domain's), OpenCC's tables and pypinyin's, which
    otherwise load at a process's first search (about a second). gunicorn calls this in its
    master before forking the workers (``pre_fork`` in gunicorn.conf.py), so no worker's
    first search pays it and the workers share those pages of memory."""
    _tokenizer()
    _converter().convert("體")
    from pypinyin import lazy_pinyin

    lazy_pinyin("家门口")


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
    #: The token of a topic a need leads to (:class:`TopicLead`): any service of the topic
    #: matches it, whatever the need's own words.
    lead: bool = False


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
    #: A word that says whom the need concerns (老人, 孩子: :meth:`SynonymIndex.says_who`):
    #: when words are matched loosely, the query's other words decide what is found.
    weak: bool = False
    #: What a need the query says in its own words stands for (:func:`partial_terms`):
    #: matched only when the query as typed is not (see :func:`search.query.groups_for`),
    #: so a word that finds its service (失业) is not diluted by a need holding it (失业了).
    extra: tuple[Alternative, ...] = ()

    def without_leads(self) -> Group:
        """The group without the topics its need leads to, unless they are all it has."""
        kept = tuple(alt for alt in self.alternatives if not alt.lead)
        return dataclasses.replace(self, alternatives=kept) if kept else self

    def loosened(self) -> Group:
        """The group with the needs it is part of among its alternatives."""
        if not self.extra:
            return self
        alternatives = tuple(_unique_alternatives([*self.alternatives, *self.extra]))
        return dataclasses.replace(self, alternatives=alternatives, extra=(), function=False)

    @property
    def optional(self) -> bool:
        """A lone Chinese character with no synonyms (岁 in 65岁体检, 修 untaught) narrows
        too much to be required; it still counts when words are matched loosely."""
        if self.extra:
            return False
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
    #: The synonyms the query was read with: what else reads its words during the same
    #: search (whom it names, its corrected reading) reads them too, not the table again.
    synonyms: dict[str, tuple[str, ...]] | None = field(default=None, compare=False, repr=False)

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


class SynonymIndex(dict):
    """term → all folded terms of its set(s), then what those sets lead to (one way); and,
    for reading a need said in other words than a set's (:func:`partial_terms`):

    - ``content``: each term of a set that leads to a topic → its content words (the words
      of its precise cut, function words and query stopwords apart): 洗被子 → (洗, 被子);
    - ``by_word``: each content word of two characters or more → the terms holding it;
    - ``who``: the names of the groups of residents services are for (the catalog's
      audiences: 老年人, 儿童青少年, 困难群众) and ``topics``, the topics' names: a query word
      whose set holds an audience's name or the noun it ends with (老人 = 老年人, 孩子 =
      青少年; not 困难 of 困难群众, which says what), and no part of a topic's name, says
      whom the need concerns, not what it is (:attr:`Group.weak`).
    """

    content: dict[str, tuple[str, ...]]
    by_word: dict[str, tuple[str, ...]]
    #: Content words whose need sets all lead to one topic (辞退; not 东西, which 家里东西
    #: 太多 and 帮忙买东西 share): enough on their own to say a need.
    one_topic: frozenset[str] = frozenset()
    who: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()

    @functools.cached_property
    def sounds(self) -> dict[str, tuple[str, ...]]:
        """The pinyin of the terms (full, of two characters or more; initials, of three or
        more) → the terms: what a resident typing a set's word in pinyin means. Worked out
        at the first query in Latin letters (pinyin of every term takes a moment)."""
        return _sounds_of(self)

    def says_who(self, term: str) -> bool:
        """Whether ``term`` (folded) names a group of residents rather than a need."""
        return (
            len(term) > 1
            and any(name.endswith(term) for name in self.who)
            and not any(term in name for name in self.topics)
        )


def synonym_index(
    synonym_sets: Iterable[Iterable[str] | TermSet], who: Iterable[str] = ()
) -> SynonymIndex:
    """term → all folded terms of its set(s), then what those sets lead to (one way).
    ``who``: the audiences' names (see :class:`SynonymIndex`)."""
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
    result = SynonymIndex(
        (term, tuple(_unique_terms([*terms, *one_way.get(term, [])])))
        for term, terms in index.items()
    )
    _index_content_words(result, one_way)
    result.who = frozenset(fold(name).strip() for name in who if name and name.strip())
    result.topics = frozenset(
        str(lead) for leads in one_way.values() for lead in leads if isinstance(lead, TopicLead)
    )
    return result


#: Shorter pinyin is too often the start of another word to stand for a term.
MIN_SOUND_LETTERS = 3


def _sounds_of(terms: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Full pinyin and initials of the Chinese ``terms`` (see :attr:`SynonymIndex.sounds`)."""
    sounds: dict[str, list[str]] = {}
    for term in terms:
        if len(term) < 2 or not all(CJK.match(char) for char in term):
            continue
        full, initials = pinyin_of(term)
        keys = [full] + ([initials] if len(term) >= 3 else [])
        for key in keys:
            if len(key) >= MIN_SOUND_LETTERS and term not in sounds.setdefault(key, []):
                sounds[key].append(term)
    return {key: tuple(found) for key, found in sounds.items()}


def _index_content_words(index: SynonymIndex, one_way: dict[str, list[str]]) -> None:
    """Fill ``content`` and ``by_word`` of ``index`` (see :class:`SynonymIndex`) from the
    terms that lead to a topic (needs in everyday words)."""
    content: dict[str, tuple[str, ...]] = {}
    by_word: dict[str, list[str]] = {}
    topics: dict[str, set[str]] = {}
    for term, leads in one_way.items():
        codes = {lead.code for lead in leads if isinstance(lead, TopicLead)}
        if not codes:
            continue
        words_of_term = content_words(term)
        content[term] = words_of_term
        for word in words_of_term:
            if len(word) > 1:
                by_word.setdefault(word, []).append(term)
                topics.setdefault(word, set()).update(codes)
    index.content = content
    index.by_word = {word: tuple(terms) for word, terms in by_word.items()}
    index.one_topic = frozenset(word for word, codes in topics.items() if len(codes) == 1)


def content_words(text: str) -> tuple[str, ...]:
    """The words of folded ``text`` that carry its meaning: its precise cut without query
    stopwords and function words (头发长了 → 头发, 长)."""
    stopwords, function = query_stopwords(), function_words()
    found = [w for w in _precise(text) if w not in stopwords and w not in function]
    return tuple(dict.fromkeys(found))


#: A content word of at most this many need terms (of one topic) lends them on its own.
RARE_NEED_WORD = 2
#: How often jieba's dictionary counts a word said in any sentence (过来, 下来, 国家).
EVERYDAY_WORD_FREQUENCY = 10000


def partial_terms(folded: str, synonyms: dict[str, tuple[str, ...]]) -> list[str]:
    """Terms of the need sets whose content words all occur in ``folded`` but not side by
    side (洗被子 in 被子太大家里洗不了, 头发长了 in 我爸头发老长了): the query says that
    need in its own order and with words between (or a longer way: 被辞退 in 被公司辞退了).
    A term needs two content words or more, all in the text; or one content word that at
    most :data:`RARE_NEED_WORD` terms use, all in the need sets of one topic
    (:attr:`SynonymIndex.one_topic`), which says the need even when the term's other words
    are said otherwise (坐牢 of 父母坐牢 in 孩子爸妈都在坐牢; 东西 of 家里东西太多 says too
    little, and so does 党员, a word of many needs, or 过来, a word of any sentence that
    jieba's dictionary counts :data:`EVERYDAY_WORD_FREQUENCY` times or more). The word
    found is of two characters or more and does not merely name a group of residents
    (老人); terms the text holds whole are left to the longest-match scan. Longest first."""
    by_word = getattr(synonyms, "by_word", None)
    if not by_word:
        return []
    content = synonyms.content
    found = []
    for word, terms in by_word.items():
        if word not in folded or synonyms.says_who(word):
            continue
        for term in terms:
            if term in folded or term in found:
                continue
            parts = content[term]
            if (
                word in synonyms.one_topic
                and len(terms) <= RARE_NEED_WORD
                and _tokenizer().FREQ.get(word, 0) < EVERYDAY_WORD_FREQUENCY
            ):
                # A word only one or two needs of one topic use says the need even when
                # its other words are said otherwise (坐牢 of 父母坐牢 in 孩子爸妈都在坐牢);
                # a word many needs share (党员, 轮椅) says too little on its own, and so
                # does a word said in any sentence (国家 of 国家反诈中心 in 国家给不给钱).
                found.append(term)
            elif len(parts) > 1 and all(part in folded for part in parts):
                found.append(term)
    return sorted(found, key=len, reverse=True)


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
        spans = _word_spans(run)
        while position < len(run):
            match = next(
                (
                    run[position : position + size]
                    for size in range(min(longest, len(run) - position), 0, -1)
                    if run[position : position + size] in synonyms
                    and not _cuts_a_word(run, position, position + size, spans)
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


#: Synonym terms this long or shorter must not cut a common word of the query apart.
SHORT_TERM = 2
#: How often jieba's dictionary counts a word for it to be taken as what the resident said.
COMMON_WORD_FREQUENCY = 100


def _word_spans(run: str) -> list[tuple[int, int]]:
    """Where the words of jieba's precise cut of ``run`` begin and end."""
    spans, position = [], 0
    for piece in words(run, search_mode=False):
        start = run.find(piece, position)
        if start < 0:
            continue
        spans.append((start, start + len(piece)))
        position = start + len(piece)
    return spans


def _cuts_a_word(run: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether a short synonym term (one or two characters) found at ``start:end`` of
    ``run`` would cut apart a common word the resident said (one jieba's dictionary counts
    :data:`COMMON_WORD_FREQUENCY` times or more): 没电 of 没电梯 (cut 没 / 电梯) would leave
    a lone 梯, and 电梯 is what was said; a lone 装 would cut 装修 or 桶装水. A rarer word is
    often jieba's mistake on an everyday sentence (修水 of 修水管, whose 修 and 水管 are
    meant), and a term of two characters inside a longer word (趾甲 of 脚趾甲, 降压 of 降压
    药) is one of its words: both are found as before. Longer terms are phrases an editor
    chose (电视声音, 压力大): they are found even across jieba's cut (看电视 / 声音,
    压力 / 大老想)."""
    if end - start > SHORT_TERM:
        return False
    frequency = _tokenizer().FREQ
    for first, last in spans:
        if not (first < start < last or first < end < last):
            continue
        if first <= start and end <= last and end - start > 1:
            continue
        if frequency.get(run[first:last], 0) >= COMMON_WORD_FREQUENCY:
            return True
    return False


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
    folded = TONE_NUMBERED.sub(
        lambda match: (
            re.sub(r"\d", "", match.group()) if _bounded(folded, match) else match.group()
        ),
        folded,
    )
    stopwords = query_stopwords()
    runs = [(run, [p for p in _split_query(run, synonyms) if p]) for run in WORD.findall(folded)]
    meaningful = [p for _, pieces in runs for p in pieces if p not in stopwords]
    keep = (lambda piece: piece not in stopwords) if meaningful else (lambda piece: True)
    groups: list[Group] = []
    for run, pieces in runs:
        pieces = [piece for piece in pieces if keep(piece)]
        if not pieces:
            continue
        mixed = CJK.search(run) and LATIN_ANY.search(run)
        spelled = _spelled_out(run, synonyms) if mixed else ""
        if spelled:
            # The pinyin written as the word it is the sound of (残疾人fuju → 残疾人辅具).
            pieces = [p for p in _split_query(spelled, synonyms) if p and keep(p)]
        if mixed and not spelled and not all(p in synonyms for p in pieces):
            # (a set's word such as 反诈app is matched as that word)
            groups.append(_mixed_group(run, pieces))
        else:
            run_groups = [_group(piece, synonyms) for piece in pieces]
            if len(run_groups) > 1 and run_groups[-1].optional:
                run_groups[-1] = _continued(run_groups[-1], "".join(pieces[-2:]))
            groups.extend(run_groups)
    groups = _with_partial_needs(groups, folded, synonyms)
    groups = _said_with_another_word(groups, folded)
    unique = list({group.word: group for group in groups}.values())
    return AnalysedQuery(
        text=text, folded=folded, groups=unique, truncated=truncated, synonyms=synonyms
    )


def _with_partial_needs(
    groups: list[Group], folded: str, synonyms: dict[str, tuple[str, ...]]
) -> list[Group]:
    """Each need the query says in its own order (:func:`partial_terms`) also stands for
    the query's words that are part of it and have no synonyms of their own: 被子 and 洗
    of 被子太大家里洗不了 may then match the words of 洗被子's set (自助洗衣)."""
    terms = partial_terms(folded, synonyms)
    if not terms:
        return groups
    content = synonyms.content
    result = []
    for group in groups:
        plain = len(group.surface) == 1 and not LATIN_RUN.fullmatch(group.word)
        found = [
            term
            for term in terms
            if plain and any(group.word in part or part in group.word for part in content[term])
        ]
        if not found:
            result.append(group)
            continue
        # The need's words, not its topic: the words say which of the topic's services
        # answers it, and the query's other words have already failed to narrow the topic.
        extra = [
            alt
            for term in found
            for alt in _group(term, synonyms).alternatives
            if alt.tokens[0] not in _topic_tokens(synonyms.get(term, ()))
        ]
        result.append(
            dataclasses.replace(
                group,
                extra=tuple(_unique_alternatives([*group.extra, *extra])),
                surface=tuple(dict.fromkeys([*group.surface, *found])),
            )
        )
    return result


def _said_with_another_word(groups: list[Group], folded: str) -> list[Group]:
    """A word that a phrase of another word's set holds, the phrase's other words said too
    (看病 of 看病的居民保险, whose 居民保险 is said 看病保险 too): the query says that
    phrase in its own order, so the word is found wherever the other word is (it also
    matches what that word matches). Otherwise 看病 would ask every service to say 看病
    beside 居民保险, and only 异地就医备案 (就医) does. A word of a phrase the resident did
    not say whole (房子 of 没房子住 in 房租太贵想申请便宜点的房子) stays as it is."""
    result = []
    for group in groups:
        holding = [
            other
            for other in groups
            if other.word != group.word
            and not group.weak
            and len(group.word) > 1
            and CJK.match(group.word)
            and any(
                group.word in alt.tokens and all(token in folded for token in alt.tokens)
                for alt in other.alternatives
                if not alt.pinyin
            )
        ]
        if holding:
            alternatives = [
                *group.alternatives,
                *(alt for other in holding for alt in other.alternatives),
            ]
            group = dataclasses.replace(
                group, alternatives=tuple(_unique_alternatives(alternatives))
            )
        result.append(group)
    return result


def _bounded(text: str, match: re.Match) -> bool:
    """Whether ``match`` is a whole word of ``text`` (yi1bao3ka3, not part of a code)."""
    before = text[match.start() - 1] if match.start() else " "
    after = text[match.end()] if match.end() < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _topic_tokens(terms) -> set[str]:
    return {topic_token(term.code) for term in terms if isinstance(term, TopicLead)}


#: How many readings of a mixed run (one character read another way each) are tried.
MIXED_READINGS = 4
#: How many characters of Chinese beside a pinyin word may be part of the word it spells.
SPELLED_CONTEXT = 2


def _spelled_out(run: str, synonyms) -> str:
    """``run`` (Chinese and pinyin mixed: 残疾人fuju, 换suo芯) with each pinyin word written
    as the word of the synonym sets it is the sound of, read with the Chinese characters
    beside it when the word holds them (suo芯 → 锁芯, fuju → 辅具); "" when a pinyin word is
    the sound of none."""
    sounds = getattr(synonyms, "sounds", None)
    if not sounds:
        return ""
    parts = re.findall(r"[a-z]+|[^a-z]+", run)
    result = list(parts)
    for index, part in enumerate(parts):
        if not LATIN_RUN.fullmatch(part):
            continue
        before = parts[index - 1] if index and CJK.search(parts[index - 1]) else ""
        after = parts[index + 1] if index + 1 < len(parts) and CJK.search(parts[index + 1]) else ""
        found = None
        for size in range(2 * SPELLED_CONTEXT, -1, -1):
            for left in range(min(size, SPELLED_CONTEXT, len(before)), -1, -1):
                right = size - left
                if right > min(SPELLED_CONTEXT, len(after)):
                    continue
                head, tail = before[len(before) - left :], after[:right]
                found = next(
                    (
                        (left, right, term)
                        for key in _readings(head, part, tail)
                        for term in sounds.get(key, ())
                        if term.startswith(head)
                        and term.endswith(tail)
                        and len(term) > left + right
                    ),
                    None,
                )
                if found:
                    break
            if found:
                break
        if not found:
            return ""
        left, right, term = found
        if left:
            result[index - 1] = result[index - 1][: len(result[index - 1]) - left]
        if right:
            result[index + 1] = result[index + 1][right:]
        result[index] = term
    return "".join(result)


def _readings(head: str, latin: str, tail: str, limit: int = 8) -> list[str]:
    """The sounds of ``head`` + ``latin`` + ``tail``, each character read every way it may be
    (调 diao or tiao), at most ``limit`` of them."""
    sounds = [""]
    for char in head:
        sounds = [s + r for s in sounds for r in _char_readings(char)][:limit]
    sounds = [s + latin for s in sounds]
    for char in tail:
        sounds = [s + r for s in sounds for r in _char_readings(char)][:limit]
    return sounds


@functools.lru_cache(maxsize=4096)
def _char_readings(char: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="default")[0]
    return tuple(dict.fromkeys(re.sub(r"\W", "", r.lower()) for r in readings if r))


def _mixed_group(run: str, pieces: list[str]) -> Group:
    """Chinese and pinyin in one run (老年zheng, 社保ka): residents switch to pinyin for a
    character they cannot find, so the run is read as pinyin throughout."""
    from pypinyin import lazy_pinyin

    read = [re.sub(r"\W", "", syllable.lower()) for syllable in lazy_pinyin(run, errors="default")]
    readings = [read]
    items = CHARACTER_OR_RUN.findall(run)
    if len(items) == len(read):
        # A character of several readings is read each way too (调 of kong调清洗 is diao
        # alone, tiao in 空调): which one the resident meant, the run does not say.
        for position, (item, syllable) in enumerate(zip(items, read, strict=True)):
            for other in _char_readings(item) if CJK.fullmatch(item) else ():
                if other != syllable and len(readings) < MIXED_READINGS:
                    readings.append([*read[:position], other, *read[position + 1 :]])
    sounds = []
    for syllables in readings:
        sound = "".join(syllables)
        # Also as two words' pinyin (kong调清洗: kongtiao + qingxi of 空调 and 清洗), cut
        # between syllables: the whole run is the pinyin of a name only when it is one word.
        sounds.append(Alternative((sound,), prefix=True, pinyin=True))
        sounds.extend(
            Alternative(("".join(syllables[:cut]), "".join(syllables[cut:])), pinyin=True)
            for cut in range(1, len(syllables))
            if len("".join(syllables[:cut])) > 1 and len("".join(syllables[cut:])) > 1
        )
    # The whole run's sound first, then the pieces as typed, then the other readings.
    alternatives = [sounds[0], Alternative(tuple(pieces)), *sounds[1:]]
    return Group(run, list(_unique_alternatives(alternatives)), tuple(pieces))


def _group(word: str, synonyms: dict[str, tuple[str, ...]]) -> Group:
    if LATIN_RUN.fullmatch(word):
        # Latin letters: a word (wifi) or pinyin typed on a kiosk, possibly unfinished.
        alternatives = [Alternative((word,)), Alternative((word,), prefix=True, pinyin=True)]
        surface = [word]
        for term in getattr(synonyms, "sounds", {}).get(word, ()):
            # The pinyin of a synonym set's term (ybk → 医保卡, jiadianweixiu → 家电维修):
            # what the term finds, as the term typed in characters would.
            spelled = _group(term, synonyms)
            alternatives.extend(spelled.alternatives)
            surface.extend(spelled.surface)
        if len(surface) == 1:
            alternatives.extend(_split_sounds(word))
        return Group(
            word,
            tuple(_unique_alternatives(alternatives)),
            tuple(dict.fromkeys(surface)),
        )
    terms = synonyms.get(word, (word,))
    phrases = [_phrase(term) for term in terms if not isinstance(term, TopicLead)]
    leads = [topic_token(term.code) for term in terms if isinstance(term, TopicLead)]
    alternatives = [*phrases, *(Alternative((lead,), lead=True) for lead in leads)]
    if word not in synonyms:
        alternatives.extend(_compound_heads(word))
    says_who = getattr(synonyms, "says_who", lambda term: False)
    return Group(
        word,
        tuple(_unique_alternatives(alternatives)),
        tuple(dict.fromkeys(str(term) for term in terms)),
        function=len(terms) == 1 and word in function_words(),
        weak=any(says_who(term) for term in terms if not isinstance(term, TopicLead)),
    )


#: Pinyin shorter than this is read as typed, not split into two words.
MIN_SPLIT_LETTERS = 4


def _split_sounds(word: str) -> list[Alternative]:
    """Pinyin or initials of two words typed as one (gjjtq: gjj + tq of 公积金提取,
    xinlizixun: xinli + zixun): each way of cutting ``word`` in two pieces of two letters or
    more, both matched against the pinyin of a service's words (each word's pinyin and
    initials are indexed, the whole name's too, so a name typed whole needs no cut)."""
    if len(word) < MIN_SPLIT_LETTERS:
        return []
    return [Alternative((word[:cut], word[cut:]), pinyin=True) for cut in range(2, len(word) - 1)]


def _compound_heads(word: str) -> list[Alternative]:
    """A word of three characters or more that no synonym set holds (救助金, 桶装水) also
    matches the shorter words jieba finds inside it (救助, 桶装), all of them: the catalog
    may name the thing without the suffix or with another one (桶装饮用水), and a service
    with the whole word still ranks first (it is indexed with both)."""
    if len(word) < 3 or not CJK.fullmatch(word[0]) or not all(CJK.match(c) for c in word):
        return []
    inner = tuple(
        piece
        for piece in dict.fromkeys(words(word))
        if piece != word and len(piece) > 1 and piece not in function_words()
    )
    return [Alternative(inner)] if inner else []


def _continued(group: Group, stem: str) -> Group:
    """A lone character at the end of a run is often a word cut short (家庭医 for 家庭医生):
    let it also match words that begin with it and the word before."""
    continuation = Alternative((stem,), prefix=True)
    return dataclasses.replace(
        group,
        alternatives=(*group.alternatives, continuation),
        surface=(*group.surface, stem),
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
