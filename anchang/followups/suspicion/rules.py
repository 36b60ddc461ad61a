"""Suspicious follow-up records (docs/domain.md#suspicious-records): copy-paste, bulk, filler.

Fake follow-ups are penalised in the field, so a manager wants the records worth a second
look, each with the reason in numbers. Pure functions: plain records in, flags out, no
database; the thresholds come from the project's `SuspicionRules`. A flag is a question
for the manager, never a verdict: nothing here changes a record or a score.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anchang.followups.rules import SuspicionRules

NEAR_DUPLICATE = "near_duplicate"
BURST = "burst"
FILLER = "filler"
KINDS = (NEAR_DUPLICATE, BURST, FILLER)

# Phrases that say nothing about the customer. Content made only of these (give or take a
# particle or two) is filler, however it is punctuated.
STOCK_PHRASES = (
    "客户考虑中",
    "客户在考虑",
    "还在考虑",
    "考虑中",
    "考虑一下",
    "再考虑",
    "再联系",
    "再跟进",
    "继续跟进",
    "正常跟进",
    "持续跟进",
    "保持联系",
    "待定",
    "已联系",
    "已沟通",
    "已回访",
    "已跟进",
    "电话回访",
    "回访",
    "没接",
    "未接",
    "没接通",
    "未接通",
    "无人接听",
    "暂无",
    "暂无意向",
    "无意向",
    "没意向",
    "再看看",
    "看看再说",
    "有空再来",
    "一般",
    "还行",
    "挺好",
    "好的",
    "知道了",
    "收到",
    "同上",
    "无",
    "嗯",
    "ok",
)
_STOCK_LONGEST_FIRST = sorted({p.lower() for p in STOCK_PHRASES}, key=lambda p: (-len(p), p))
# What may be left around stock phrases and still say nothing: particles and the like
# (客户说考虑中吧 is as empty as 考虑中), at most a few characters of them.
STOCK_SLACK = frozenset("吧了的啊呢哦呀吗嘛啦呗咯喽额呃哈说再还也都很先客户他她")
STOCK_SLACK_CHARS = 4
# Below this many characters the distinct-character ratio says nothing (a short text
# repeats little); a long genuine text naturally repeats characters, so the ratio is taken
# over at most 100 characters' worth: 客户考虑中 pasted 120 times is still 5 of 100.
DISTINCT_MIN_LENGTH = 10
DISTINCT_WINDOW = 100
_WHITESPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")  # what is not a letter or a digit
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Record:
    """One follow-up as the checks see it."""

    id: int
    customer_id: int
    author_id: int
    kind: str
    reached: bool
    content: str
    occurred_at: datetime
    entered_at: datetime


@dataclass(frozen=True)
class Match:
    """Two records on different customers whose texts are `similarity` (0–1) alike."""

    record_id: int
    other_id: int
    similarity: float

    @property
    def percent(self) -> int:
        # Rounded down, so a shown 85% never hides a value under an 85% threshold.
        return math.floor(self.similarity * 100 + 1e-9)


@dataclass(frozen=True)
class Flag:
    kind: str  # near_duplicate | burst | filler
    author_id: int
    record_ids: tuple[int, ...]  # ascending
    reason: str
    matches: tuple[Match, ...] = ()  # near-duplicates: each record's closest pair


# ---------------------------------------------------------------------------- text


def normalize(text: str) -> str:
    """Letters and digits only, width-folded and lower-cased: what copy-paste keeps when
    punctuation, spacing or full-width forms are changed to hide it."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


def _tokens(text: str) -> frozenset[str]:
    """Character bigrams, each repeat numbered (a multiset as a set). Chinese has no
    spaces between words, so bigrams stand in for words: a changed name touches ~4."""
    grams = list(map(operator.add, text, text[1:]))
    unique = frozenset(grams)
    if len(unique) == len(grams):
        return unique
    counts = Counter(grams)
    repeats = [(gram, n) for gram, n in counts.items() if n > 1]
    # normalized text holds no control characters, so "\0" cannot clash with a bigram
    extra = [f"{gram}\0{k}" for gram, n in repeats for k in range(2, n + 1)]
    return unique.union(extra)


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character bigrams (0 = nothing shared, 1 = same),
    after `normalize`. Texts under two characters share nothing."""
    ta, tb = _tokens(normalize(a)), _tokens(normalize(b))
    if not ta or not tb:
        return 0.0
    return 2 * len(ta & tb) / (len(ta) + len(tb))


# ----------------------------------------------------------------- near duplicates


def _duplicate_candidates(
    records: Iterable[Record], rules: SuspicionRules
) -> list[tuple[Record, str]]:
    """The records worth comparing, each with its normalized text."""
    out = []
    for record in records:
        # Only reached contacts: an unanswered call is logged with the same few words every
        # time and keeps no customer, so faking one gains nothing.
        # SMS records are left out on purpose: an SMS record is the exact text sent, and
        # the office sends one template (活动邀约, 节日问候) to many customers, so identical
        # SMS records are expected, not copy-paste.
        if not record.reached or record.kind == "sms":
            continue
        text = normalize(record.content)
        if len(text) >= rules.duplicate_min_chars:
            out.append((record, text))
    return out


class _Components:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _Doc:
    """One distinct normalized text and the records that carry it (ascending id)."""

    tokens: frozenset[str]
    records: list[Record]

    def first_other(self, customer_id: int) -> Record | None:
        return next((r for r in self.records if r.customer_id != customer_id), None)


def _similar_doc_pairs(docs: list[_Doc], percent: int) -> list[tuple[_Doc, _Doc, float]]:
    """Every pair of docs at least `percent` alike, exactly, without comparing all pairs.

    Prefix filtering (Chaudhuri et al. 2006; Bayardo et al. 2007): order every token the
    same way, rarest first. Two sets sharing at least `o` tokens share one among the first
    |x| − o + 1 of each. Docs are taken smallest first; for Dice ≥ d an earlier (smaller)
    doc y needs o ≥ d·|y| and the current x needs o ≥ j·|x| with j = d / (2 − d), which
    also bounds the sizes (|y| ≥ j·|x|). So y is indexed by its first |y| − ⌈d·|y|⌉ + 1
    tokens, x probes with its first |x| − ⌈j·|x|⌉ + 1, and each candidate found is then
    checked with the exact score.
    """
    d = percent / 100
    j = d / (2 - d)
    frequency: Counter[str] = Counter()
    for doc in docs:
        frequency.update(doc.tokens)
    # One global order, rarest first, the same for every doc (any fixed order of ties
    # keeps the filter exact); docs then hold ranks, not text.
    rank = {tok: i for i, tok in enumerate(sorted(frequency, key=frequency.__getitem__))}
    order = sorted(docs, key=lambda doc: (len(doc.tokens), doc.records[0].id))
    sizes = [len(doc.tokens) for doc in order]
    # token -> [(doc position, the token's place in that doc's order)], smallest docs first
    index: dict[int, list[tuple[int, int]]] = defaultdict(list)
    out: list[tuple[int, int, float]] = []
    for position, doc in enumerate(order):
        size = sizes[position]
        ranks = sorted(map(rank.__getitem__, doc.tokens))
        # floor (never above the true ceiling) keeps prefixes long enough despite floats
        probe = size - max(1, math.floor(j * size - 1e-9)) + 1
        smallest = j * size - 1e-9
        seen: set[int] = set()
        for place, tok in enumerate(ranks[:probe]):
            postings = index.get(tok)
            if not postings:
                continue
            # Postings grow by size: the ones too small now are too small for later docs.
            drop = 0
            while drop < len(postings) and sizes[postings[drop][0]] < smallest:
                drop += 1
            if drop:
                del postings[:drop]
            for other_position, other_place in postings:
                if other_position in seen:
                    continue
                seen.add(other_position)
                other_size = sizes[other_position]
                total = size + other_size
                # This is the pair's rarest shared token, so whatever else they share comes
                # after it in both: too little room left means too little overlap.
                room = 1 + min(size - place - 1, other_size - other_place - 1)
                if 200 * room < percent * total:
                    continue
                shared = len(doc.tokens & order[other_position].tokens)
                if 200 * shared >= percent * total:  # integers: no rounding at the edge
                    out.append((other_position, position, 2 * shared / total))
        for place, tok in enumerate(ranks[: size - max(1, math.floor(d * size - 1e-9)) + 1]):
            index[tok].append((position, place))
    return [(order[a], order[b], score) for a, b, score in out]


def near_duplicates(records: Iterable[Record], rules: SuspicionRules) -> list[Flag]:
    """Groups of records by one author on different customers whose texts are nearly the
    same; each record's closest match on another customer explains the group."""
    by_author: dict[int, list[tuple[Record, str]]] = defaultdict(list)
    for record, text in sorted(_duplicate_candidates(records, rules), key=lambda rt: rt[0].id):
        by_author[record.author_id].append((record, text))
    flags = []
    for author_id in sorted(by_author):
        flags.extend(_author_duplicates(author_id, by_author[author_id], rules))
    return flags


def _author_duplicates(
    author_id: int, rows: list[tuple[Record, str]], rules: SuspicionRules
) -> list[Flag]:
    records = [record for record, _text in rows]
    texts: dict[str, _Doc] = {}
    for record, text in rows:
        if text not in texts:
            texts[text] = _Doc(_tokens(text), [])
        texts[text].records.append(record)
    docs = list(texts.values())
    components = _Components()
    # record id -> (similarity, partner id); the best partner on another customer
    best: dict[int, tuple[float, int]] = {}

    def offer(record: Record, partner: Record | None, score: float) -> None:
        if partner is None:
            return
        components.union(record.id, partner.id)
        current = best.get(record.id)
        if current is None or (score, -partner.id) > (current[0], -current[1]):
            best[record.id] = (score, partner.id)

    for doc in docs:  # the very same text on two customers
        for record in doc.records:
            offer(record, doc.first_other(record.customer_id), 1.0)
    for a, b, score in _similar_doc_pairs(docs, rules.similarity_percent):
        for record in a.records:
            offer(record, b.first_other(record.customer_id), score)
        for record in b.records:
            offer(record, a.first_other(record.customer_id), score)

    groups: dict[int, list[Record]] = defaultdict(list)
    for record in records:
        if record.id in best:
            groups[components.find(record.id)].append(record)
    flags = []
    for members in groups.values():
        matches = sorted(
            {
                Match(min(r.id, best[r.id][1]), max(r.id, best[r.id][1]), best[r.id][0])
                for r in members
            },
            key=lambda m: (-m.similarity, m.record_id, m.other_id),
        )
        ids = tuple(sorted(r.id for r in members))
        customers = len({r.customer_id for r in members})
        flags.append(
            Flag(
                NEAR_DUPLICATE,
                author_id,
                ids,
                _duplicate_reason(matches, ids, customers),
                tuple(matches),
            )
        )
    return sorted(flags, key=lambda f: f.record_ids)


def _duplicate_reason(matches: list[Match], ids: tuple[int, ...], customers: int) -> str:
    if len(ids) == 2:
        match = matches[0]
        return _(
            "Record #%(a)d is %(pct)d%% the same text as record #%(b)d, written for another "
            "customer."
        ) % {"a": match.record_id, "b": match.other_id, "pct": match.percent}
    low = min(m.percent for m in matches)
    high = max(m.percent for m in matches)
    alike = f"{low}%" if low == high else f"{low}–{high}%"
    return _(
        "%(n)d records on %(customers)d customers have nearly the same text (%(alike)s alike)."
    ) % {"n": len(ids), "customers": customers, "alike": alike}


# --------------------------------------------------------------------------- bursts


def bursts(records: Iterable[Record], rules: SuspicionRules) -> list[Flag]:
    """Runs of at least `burst_count` records one author entered within `burst_minutes`;
    overlapping runs are one flag. Only reached contacts other than SMS count: a list of
    unanswered calls or one text sent to many customers is quick by nature."""
    by_author: dict[int, list[Record]] = defaultdict(list)
    for record in records:
        if record.reached and record.kind != "sms":
            by_author[record.author_id].append(record)
    window = rules.burst_minutes * 60
    flags = []
    for author_id in sorted(by_author):
        rows = sorted(by_author[author_id], key=lambda r: (r.entered_at, r.id))
        runs: list[list[int]] = []  # [first index, last index], merged when they overlap
        last = 0
        for first in range(len(rows)):
            last = max(last, first)
            while (
                last + 1 < len(rows)
                and (rows[last + 1].entered_at - rows[first].entered_at).total_seconds() <= window
            ):
                last += 1
            if last - first + 1 >= rules.burst_count:
                if runs and first <= runs[-1][1]:
                    runs[-1][1] = last
                else:
                    runs.append([first, last])
        for first, last in runs:
            members = rows[first : last + 1]
            flags.append(
                Flag(BURST, author_id, tuple(sorted(r.id for r in members)), _burst_reason(members))
            )
    return sorted(flags, key=lambda f: f.record_ids)


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _burst_reason(members: Sequence[Record]) -> str:
    n = len(members)
    entered = _minutes((members[-1].entered_at - members[0].entered_at).total_seconds())
    times = [r.occurred_at for r in members]
    occurred = (max(times) - min(times)).total_seconds()
    text = ngettext(
        "%(n)d records entered within %(m)d minute",
        "%(n)d records entered within %(m)d minutes",
        entered,
    ) % {"n": n, "m": entered}
    if occurred < 2 * 3600:
        minutes = _minutes(occurred)
        dated = ngettext(
            "the contacts are dated within %(m)d minute of each other",
            "the contacts are dated within %(m)d minutes of each other",
            minutes,
        ) % {"m": minutes}
    else:
        hours = math.floor(occurred / 3600)
        dated = ngettext(
            "the contacts are dated over %(h)d hour",
            "the contacts are dated over %(h)d hours",
            hours,
        ) % {"h": hours}
    return _("%(entered)s; %(dated)s.") % {"entered": text, "dated": dated}


# --------------------------------------------------------------------------- filler


def filler_reasons(content: str, rules: SuspicionRules) -> list[str]:
    """Why a text says nothing, in words a manager reads; empty when it says something."""
    raw = _WHITESPACE.sub("", unicodedata.normalize("NFC", content or ""))
    if not raw:
        return [_("There is no content.")]
    reasons = []
    text = normalize(raw)
    if text:
        rest, found = text, []
        for phrase in _STOCK_LONGEST_FIRST:
            if phrase in rest:
                found.append(phrase)
                rest = rest.replace(phrase, "")
        if found and len(rest) <= STOCK_SLACK_CHARS and set(rest) <= STOCK_SLACK:
            phrases = "、".join(sorted(found, key=text.find))
            reasons.append(_("Only stock phrases: %(phrases)s.") % {"phrases": phrases})
    # Runs are read in the raw text: NFKC would turn one “……” into six dots.
    run = _longest_run(raw, rules.filler_repeat_run)
    if run:
        reasons.append(
            _("The character “%(ch)s” is repeated %(n)d times in a row.")
            % {"ch": run[0], "n": len(run)}
        )
    letters = len(_LETTER.findall(raw))
    if 100 * letters < rules.filler_min_letters_percent * len(raw):
        reasons.append(
            _("Mostly punctuation, digits or symbols: %(n)d of %(total)d characters are words.")
            % {"n": letters, "total": len(raw)}
        )
    if len(raw) >= DISTINCT_MIN_LENGTH:
        distinct = len(set(raw))
        if 100 * distinct < rules.filler_min_distinct_percent * min(len(raw), DISTINCT_WINDOW):
            reasons.append(
                _("Only %(n)d different characters in %(total)d.")
                % {"n": distinct, "total": len(raw)}
            )
    return reasons


@functools.cache
def _run_pattern(length: int) -> re.Pattern[str]:
    # digits are left out: 1000000 is a price, not padding
    return re.compile(rf"(\D)\1{{{length - 1},}}")


def _longest_run(text: str, length: int) -> str:
    """The longest run of one character repeated at least `length` times, or ''."""
    runs = [m.group(0) for m in _run_pattern(length).finditer(text)]
    return max(runs, key=len, default="")


def filler(records: Iterable[Record], rules: SuspicionRules) -> list[Flag]:
    """Reached contacts whose content says nothing. An unanswered call may honestly say
    only 未接通, so records that did not reach the customer are not judged."""
    flags = []
    for record in sorted(records, key=lambda r: r.id):
        if not record.reached:
            continue
        reasons = filler_reasons(record.content, rules)
        if reasons:
            flags.append(Flag(FILLER, record.author_id, (record.id,), " ".join(reasons)))
    return flags


# ---------------------------------------------------------------------------- all


def find_flags(records: Iterable[Record], rules: SuspicionRules) -> list[Flag]:
    """Every flag over the records, in a fixed order whatever the order given: by kind
    (near-duplicates, bursts, filler), then by record ids."""
    rows = sorted(records, key=lambda r: r.id)
    return near_duplicates(rows, rules) + bursts(rows, rules) + filler(rows, rules)


# ------------------------------------------------------------------- stored flags

BACKDATED = "backdated"


def stored_reason(kind: str, details: dict, content: str, rules: SuspicionRules) -> str:
    """The reason of a stored flag in the reader's language, from the numbers kept with it
    (a filler record's reasons are read again from its text)."""
    details = details if isinstance(details, dict) else {}
    if kind == NEAR_DUPLICATE:
        other, percent = details.get("other"), details.get("percent")
        if other is None or percent is None:
            return _("Nearly the same text as records on other customers.")
        text = _("%(pct)d%% the same text as record #%(b)d, written for another customer.") % {
            "pct": percent,
            "b": other,
        }
        if details.get("records", 2) > 2:
            text += " " + _(
                "%(n)d records on %(customers)d customers have nearly the same text."
            ) % {"n": details["records"], "customers": details.get("customers", 0)}
        return text
    if kind == BURST:
        n, minutes = details.get("count", 0), details.get("minutes", 1)
        return ngettext(
            "One of %(n)d records entered within %(m)d minute.",
            "One of %(n)d records entered within %(m)d minutes.",
            minutes,
        ) % {"n": n, "m": minutes}
    if kind == FILLER:
        return " ".join(filler_reasons(content, rules)) or _("The content says nothing.")
    if kind == BACKDATED:
        days = details.get("days", 0)
        return ngettext(
            "Entered %(n)d day after the contact.", "Entered %(n)d days after the contact.", days
        ) % {"n": days}
    return ""
