"""Learning from what residents open: the one home of its rules.

Recording (:func:`record_click_votes`, from the click view). A click on a result of the
first page is a vote +1 for (folded query, service, visitor, hour); every result shown
above it that the same visitor has not opened that hour gets -1 (the cascade model: a
resident reads down the page and skips what does not answer). At most one vote per
visitor, query, service and hour (the table's unique constraint).

- The visitor is a keyed hash (HMAC with ``SECRET_KEY``) of the day, the client address
  and the user agent, 16 hex characters: nothing that identifies a resident, and it changes
  every day, so one person counts at most once a day however often they come back. Its
  first 8 characters hash the day and the address alone (the visitor's *voice*): when
  the boosts are computed, the visitors of one address that day are one voice, so a
  script that varies its user agent mints no voices (a family behind one router counts
  once too: the price of that).
- One address records at most :data:`VOTES_PER_ADDRESS_HOUR` votes an hour, whatever it
  clicks, counted in Django's cache (local memory or Redis) under a keyed hash of the
  address. A cache that is down records nothing rather than everything.
- A kiosk (channel ``kiosk``) is one address and one browser: all the residents at a
  lobby screen are one voice a day under the same limit. They cannot be told apart
  without personal data, and anyone standing at the screen could click on and on, so the
  kiosk speaks as one resident would. (Its searches still count in the demand list.)
- Only services the query showed on its first page, from a search of the last
  :data:`CLICK_WINDOW_HOURS` hours, can be voted for: a crafted link cannot vote a service
  into a query that never showed it. Robots and requests without a user agent are ignored.
- Nothing is recorded while the editors' :class:`~search.models.SearchLearningSettings`
  are frozen.

Recomputing (:func:`recompute_boosts`; ``manage.py learn_from_clicks`` or the task
:func:`search.tasks.learn_from_clicks`, daily). For each key (the folded query, and each of
its words) and service: each voice's signal is the mean of its votes, each weighted by
``0.5 ** (age_days / half_life_days)``; the score is the sum over voices; with at least
``min_visitors`` distinct voices, ``boost = max_boost * tanh(score / SCORE_SCALE)``,
so it never exceeds ±max_boost however many votes there are. Votes older than
:data:`RETENTION_HALF_LIVES` half-lives (weight below 0.4 %) are deleted. Frozen: nothing
is recomputed and the boosts stay as they are.

Ranking (:func:`boosts_for`, read by both backends). When enabled, a service's relevance
score is multiplied by ``1 + boost`` for the whole query; when the whole query has no
boosts, by the mean of its words' boosts (a word without a boost for the service counts
0, so one word of three moves a third as far). Disabled: no boosts, today's ranking.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from search.analysis import AnalysedQuery, analyse_query
from search.caching import cache_get, cache_set
from search.models import LearnedBoost, QueryLog, ResultVote, SearchLearningSettings

#: Votes one client address may record in an hour, opened and skipped together.
VOTES_PER_ADDRESS_HOUR = 30
#: The visitor's leading characters that hash the day and the address only: its voice.
VOICE_LENGTH = 8
#: How long after a search its results can still be voted for.
CLICK_WINDOW_HOURS = 24
#: A score of this many voices' full signals gives tanh(1) = 76 % of the cap.
SCORE_SCALE = 5.0
#: Votes older than this many half-lives weigh under 0.4 % and are deleted.
RETENTION_HALF_LIVES = 8
#: The cap never reaches 1: a service's score is never multiplied by zero or less.
MAX_BOOST_LIMIT = 0.9
#: How long a process keeps the settings and the boosts it read (seconds); recomputing
#: or saving the settings forgets them at once in this process, and in every process
#: sharing a Redis cache.
STATE_SECONDS = 60
#: The most boosts one search applies (the largest): what a database or a cluster is sent.
MAX_APPLIED_BOOSTS = 500
ROBOT = re.compile(r"bot|spider|crawl|slurp|curl|wget|python-requests|httpclient", re.I)
STATE_KEY = "search:learning:state"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LearningState:
    """The editors' settings as the search reads them, with a token that names this
    reading (cached boosts are keyed by it, so a recompute is seen at once)."""

    enabled: bool = False
    frozen: bool = False
    max_boost: float = 0.3
    half_life_days: int = 30
    min_visitors: int = 3
    token: str = ""

    @property
    def cap(self) -> float:
        return max(0.0, min(float(self.max_boost), MAX_BOOST_LIMIT))


def learning_state() -> LearningState:
    """The settings (defaults when the editors never saved them: off), read without
    creating their row so that a search's query count does not depend on it."""
    state = cache_get(STATE_KEY)
    if state is None:
        row = SearchLearningSettings.objects.order_by("pk").first()
        fields = {}
        if row is not None:
            fields = {
                "enabled": row.enabled,
                "frozen": row.frozen,
                "max_boost": row.max_boost,
                "half_life_days": max(1, row.half_life_days or 1),
                "min_visitors": max(1, row.min_visitors or 1),
            }
        state = LearningState(**fields, token=uuid.uuid4().hex[:12])
        cache_set(STATE_KEY, state, STATE_SECONDS)
    return state


def forget_state() -> None:
    try:
        cache.delete(STATE_KEY)
    except Exception:
        logger.warning("Search cache unavailable", exc_info=True)


@receiver(post_save, sender=SearchLearningSettings, dispatch_uid="search-learning-settings")
def _settings_saved(**kwargs):
    forget_state()


# -- who is voting ----------------------------------------------------------------------------


def _keyed(*parts: str) -> str:
    message = "|".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def visitor_hash(address: str, user_agent: str, day) -> str:
    """The day's pseudonym of a browser at an address, 16 hex characters: the address's
    voice (day and address), then the browser's (day, address and user agent)."""
    voice = _keyed("voice", day.isoformat(), address)[:VOICE_LENGTH]
    browser = _keyed("browser", day.isoformat(), address, user_agent)
    return voice + browser[: 16 - VOICE_LENGTH]


def voice_of(visitor: str) -> str:
    return visitor[:VOICE_LENGTH]


def _vote_allowance(address: str, hour: datetime, wanted: int) -> int:
    """How many of ``wanted`` votes the address may still record this hour (reserved)."""
    key = f"search:learning:votes:{_keyed('votes', hour.isoformat(), address)[:24]}"
    try:
        cache.add(key, 0, 3600 + 300)
        used = cache.incr(key, wanted)
    except Exception:
        logger.warning("Search cache unavailable: no click votes recorded", exc_info=True)
        return 0
    return max(0, min(wanted, VOTES_PER_ADDRESS_HOUR - (used - wanted)))


# -- recording --------------------------------------------------------------------------------


def record_click_votes(
    log: QueryLog,
    service_id,
    *,
    address: str,
    user_agent: str,
    now: datetime | None = None,
) -> int:
    """Record what a click on ``service_id`` among ``log``'s results says; returns the
    number of votes written (0 when nothing may be: frozen, a robot, an old or foreign
    result, the address's hour used up)."""
    now = now or timezone.now()
    service_key = str(service_id)
    shown = [str(pk) for pk in (log.shown or [])]
    if not log.query or service_key not in shown or not user_agent or ROBOT.search(user_agent):
        return 0
    if log.searched_at < now - timedelta(hours=CLICK_WINDOW_HOURS):
        return 0
    if learning_state().frozen:
        return 0
    hour = now.replace(minute=0, second=0, microsecond=0)
    visitor = visitor_hash(address or "", user_agent, timezone.localtime(now).date())
    above = shown[: shown.index(service_key)]
    opened = set(
        ResultVote.objects.filter(
            query=log.query, visitor=visitor, hour=hour, value=1, service_id__in=above
        ).values_list("service_id", flat=True)
    )
    skipped = [pk for pk in above if uuid.UUID(pk) not in opened]
    allowed = _vote_allowance(address or "", hour, 1 + len(skipped))
    if not allowed:
        return 0
    key = {"query": log.query, "visitor": visitor, "hour": hour}
    with transaction.atomic():
        ResultVote.objects.update_or_create(service_id=service_key, **key, defaults={"value": 1})
        # The opened result first; a skip never overwrites what the visitor opened.
        ResultVote.objects.bulk_create(
            [ResultVote(service_id=pk, value=-1, **key) for pk in skipped[: allowed - 1]],
            ignore_conflicts=True,
        )
    return min(allowed, 1 + len(skipped))


# -- recomputing ------------------------------------------------------------------------------


def query_keys(folded: str, synonyms=None) -> list[str]:
    """The keys a query's votes count for: the folded query, then each of its words."""
    if synonyms is None:
        from search.synonyms import current_synonyms

        synonyms = current_synonyms()
    return _keys_of(analyse_query(folded, synonyms))


def _keys_of(analysed: AnalysedQuery) -> list[str]:
    folded = analysed.folded[:100]
    if not folded or analysed.is_empty:
        return []
    return list(dict.fromkeys([folded, *(group.word[:100] for group in analysed.groups)]))


def recompute_boosts(now: datetime | None = None) -> dict:
    """Rebuild every :class:`LearnedBoost` from the votes (see the module's notes).
    Returns what was done, for the command and the task to report."""
    from search.synonyms import current_synonyms

    state = learning_state()
    if state.frozen:
        return {"frozen": True, "boosts": LearnedBoost.objects.count(), "votes": 0, "pruned": 0}
    now = now or timezone.now()
    half_life = float(state.half_life_days)
    oldest = now - timedelta(days=half_life * RETENTION_HALF_LIVES)
    pruned, _ = ResultVote.objects.filter(hour__lt=oldest).delete()
    synonyms = current_synonyms()
    keys_cache: dict[str, list[str]] = {}
    # (key, service) → voice → [sum of weighted values, number of votes]
    signals: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(dict)
    votes = 0
    rows = ResultVote.objects.values_list("query", "service_id", "visitor", "hour", "value")
    for query, service_id, visitor, hour, value in rows.order_by().iterator(chunk_size=5000):
        votes += 1
        keys = keys_cache.get(query)
        if keys is None:
            keys = keys_cache[query] = _keys_of(analyse_query(query, synonyms))
        age_days = max(0.0, (now - hour).total_seconds() / 86400)
        weighted = value * 0.5 ** (age_days / half_life)
        for key in keys:
            per_voice = signals[(key, str(service_id))].setdefault(voice_of(visitor), [0.0, 0])
            per_voice[0] += weighted
            per_voice[1] += 1
    boosts = []
    for (key, service_id), voices in signals.items():
        if len(voices) < state.min_visitors:
            continue
        score = sum(total / count for total, count in voices.values())
        boost = state.cap * math.tanh(score / SCORE_SCALE)
        if abs(boost) >= 0.001:
            boosts.append(
                LearnedBoost(
                    key=key,
                    service_id=service_id,
                    boost=boost,
                    visitors=len(voices),
                    updated_at=now,
                )
            )
    with transaction.atomic():
        LearnedBoost.objects.all().delete()
        LearnedBoost.objects.bulk_create(boosts, batch_size=1000)
    forget_state()
    return {"frozen": False, "boosts": len(boosts), "votes": votes, "pruned": pruned}


# -- ranking ----------------------------------------------------------------------------------


def boosts_for(analysed: AnalysedQuery) -> dict[str, float]:
    """Service id → boost for this query when learning is enabled (else empty): the whole
    query's boosts, or the mean of its words' when the whole query has none."""
    keys = _keys_of(analysed)
    if not keys:
        return {}
    try:
        state = learning_state()
        if not state.enabled:
            return {}
        digest = hashlib.sha256("\x1f".join(keys).encode()).hexdigest()[:32]
        cache_key = f"search:learning:boosts:{state.token}:{digest}"
        boosts = cache_get(cache_key)
        if boosts is None:
            boosts = _read_boosts(keys)
            cache_set(cache_key, boosts, STATE_SECONDS)
    except Exception:
        # Boosts refine a ranking the search can give without them: a database that cannot
        # answer here (the Elasticsearch backend needs nothing else of it) costs only them.
        logger.warning("Learned boosts unavailable; ranking without them", exc_info=True)
        return {}
    return boosts


def _read_boosts(keys: list[str]) -> dict[str, float]:
    whole, words = keys[0], keys[1:]
    rows = LearnedBoost.objects.filter(key__in=keys).values_list("key", "service_id", "boost")
    by_key: dict[str, dict[str, float]] = defaultdict(dict)
    for key, service_id, boost in rows:
        by_key[key][str(service_id)] = boost
    if by_key.get(whole):
        boosts = by_key[whole]
    elif words:
        summed: dict[str, float] = defaultdict(float)
        for word in words:
            for service_id, boost in by_key.get(word, {}).items():
                summed[service_id] += boost
        boosts = {service_id: total / len(words) for service_id, total in summed.items()}
    else:
        boosts = {}
    largest = sorted(boosts.items(), key=lambda item: (-abs(item[1]), item[0]))
    return dict(largest[:MAX_APPLIED_BOOSTS])
