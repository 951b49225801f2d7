"""The ledger list: filters parsed from the query string, applied in the database, scoped to
the user, and keyset pagination so page 2,000 costs what page 1 costs at 100,000 devices."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from collector_server.accounts.scoping import get_org_or_404, scope_devices
from collector_server.ledger.models import Device, Organisation, Verdict

PAGE_SIZE = 50
COUNT_CAP = 1000  # beyond this the page says "1000+": counting 65,000 stale rows costs seconds
STALE_DAYS = 14
SEEN_CHOICES = ("24h", "7d", "30d", "stale", "never")
# Only what the list shows: keeps rows small (no hardware JSON) at 100k devices.
LIST_FIELDS = (
    "id",
    "hostname",
    "organisation_id",
    "organisation__name",
    "location",
    "department",
    "responsible_person",
    "asset_tag",
    "ip_addresses",
    "high_performance",
    "high_performance_reason",
    "gpu_models",
    "last_verdict",
    "last_mode",
    "last_seen",
    "runs_agent",
)


@dataclass
class LedgerFilter:
    """What the user asked for; every field optional."""

    org: Organisation | None = None
    verdict: str = ""
    high_performance: str = ""  # "", "1", "0"
    gpu: str = ""
    seen: str = ""
    q: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: QueryDict, user) -> LedgerFilter:
        """Parse GET parameters; an organisation outside the user's scope is a 404."""
        f = cls()
        org_id = params.get("org", "").strip()
        if org_id:
            f.org = get_org_or_404(user, pk=org_id)
        verdict = params.get("verdict", "")
        if verdict in {"none", *Verdict.values} and verdict:
            f.verdict = verdict
        if params.get("hp", "") in {"1", "0"}:
            f.high_performance = params["hp"]
        f.gpu = params.get("gpu", "").strip()[:100]
        if params.get("seen", "") in SEEN_CHOICES:
            f.seen = params["seen"]
        f.q = params.get("q", "").replace("\x00", "").strip()[:200]  # PostgreSQL refuses NUL
        return f

    def querystring(self) -> str:
        """The filters as a query string (for paging and export links)."""
        q = QueryDict(mutable=True)
        for key, value in self.as_params().items():
            if value:
                q[key] = value
        return q.urlencode()

    def as_params(self) -> dict[str, str]:
        return {
            "org": str(self.org.pk) if self.org else "",
            "verdict": self.verdict,
            "hp": self.high_performance,
            "gpu": self.gpu,
            "seen": self.seen,
            "q": self.q,
        }


def filter_devices(user, f: LedgerFilter, base: QuerySet[Device] | None = None) -> QuerySet[Device]:
    """Devices ``user`` may see that match ``f`` (no ordering, no slicing)."""
    if base is None:
        qs = scope_devices(Device.objects.all(), user, below=f.org)
    else:
        qs = base
        if f.org is not None:
            qs = qs.filter(organisation__path__startswith=f.org.path)
    if f.verdict == "none":
        qs = qs.filter(last_verdict="")
    elif f.verdict:
        qs = qs.filter(last_verdict=f.verdict)
    if f.high_performance:
        qs = qs.filter(high_performance=f.high_performance == "1")
    if f.gpu:
        qs = qs.filter(gpu_models__icontains=f.gpu)
    if f.seen:
        now = timezone.now()
        if f.seen == "24h":
            qs = qs.filter(last_seen__gte=now - timedelta(hours=24))
        elif f.seen == "7d":
            qs = qs.filter(last_seen__gte=now - timedelta(days=7))
        elif f.seen == "30d":
            qs = qs.filter(last_seen__gte=now - timedelta(days=30))
        elif f.seen == "stale":
            qs = qs.filter(last_seen__lt=now - timedelta(days=STALE_DAYS), runs_agent=True)
        elif f.seen == "never":  # devices added without the agent are not "never reported"
            qs = qs.filter(last_seen__isnull=True, runs_agent=True)
    if f.q:
        term = f.q
        qs = qs.filter(
            Q(hostname__icontains=term)
            | Q(network_text__icontains=term.lower())
            | Q(responsible_person__icontains=term)
            | Q(asset_tag__icontains=term)
        )
    return qs


def _encode(key: tuple[int, str, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode(token: str) -> tuple[int, str, int] | None:
    try:
        padded = token + "=" * (-len(token) % 4)
        org_id, hostname, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = int(org_id), str(hostname), int(pk)
    except (ValueError, TypeError):
        return None
    if not all(0 <= n <= 2**63 - 1 for n in (key[0], key[2])) or "\x00" in key[1]:
        return None  # a forged cursor the database cannot compare
    return key


_ROW = '("ledger_device"."organisation_id", "ledger_device"."hostname", "ledger_device"."id")'


def _after(qs: QuerySet[Device], key: tuple[int, str, int]) -> QuerySet[Device]:
    """Rows after ``key`` in (organisation, hostname, id) order: a row-value comparison, which
    SQLite (3.15+) and PostgreSQL answer from the composite index (an OR of three
    conditions makes PostgreSQL scan)."""
    return qs.extra(where=[f"{_ROW} > (%s, %s, %s)"], params=list(key))


def _before(qs: QuerySet[Device], key: tuple[int, str, int]) -> QuerySet[Device]:
    return qs.extra(where=[f"{_ROW} < (%s, %s, %s)"], params=list(key))


@dataclass
class Page:
    rows: list[Device]
    next_cursor: str | None
    prev_cursor: str | None
    total: int
    capped: bool = False  # total is COUNT_CAP and more rows match


SCAN_CAP = 2000  # a search matching at most this many rows is paged in Python


def search_page(
    qs: QuerySet[Device], after: str = "", before: str = "", size: int = PAGE_SIZE
) -> Page | None:
    """A page for a free-text search: one unordered scan collects the matching keys (a
    table scan beats walking the ordered index when few rows match), the page is cut in
    Python and fetched by id. None when more than SCAN_CAP rows match."""
    keys = list(qs.order_by().values_list("organisation_id", "hostname", "pk")[: SCAN_CAP + 1])
    if len(keys) > SCAN_CAP:
        return None
    keys.sort()
    start, end = 0, size
    before_key = _decode(before) if before else None
    after_key = _decode(after) if after else None
    if before_key:
        end = sum(1 for k in keys if k < before_key)
        start = max(end - size, 0)
    elif after_key:
        start = sum(1 for k in keys if k <= after_key)
        end = start + size
    chosen = keys[start:end]
    by_pk = (
        Device.objects.select_related("organisation")
        .only(*LIST_FIELDS)
        .in_bulk([k[2] for k in chosen])
    )
    rows = [by_pk[k[2]] for k in chosen if k[2] in by_pk]
    next_cursor = _encode(chosen[-1]) if chosen and end < len(keys) else None
    prev_cursor = _encode(chosen[0]) if chosen and start > 0 else None
    return Page(rows=rows, next_cursor=next_cursor, prev_cursor=prev_cursor, total=len(keys))


def ledger_page(
    qs: QuerySet[Device], after: str = "", before: str = "", size: int = PAGE_SIZE
) -> Page:
    """One page ordered by (organisation, hostname, id) using the composite index.

    The total is counted only when the first page is full: a search that finds a few rows
    then costs one scan instead of two."""
    rows_qs = qs.select_related("organisation").only(*LIST_FIELDS)
    asc = ("organisation_id", "hostname", "id")
    desc = ("-organisation_id", "-hostname", "-id")
    before_key = _decode(before) if before else None
    after_key = _decode(after) if after else None
    if before_key:
        rows = list(_before(rows_qs, before_key).order_by(*desc)[: size + 1])
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        prev_cursor = _encode(_key(rows[0])) if rows and has_more_before else None
        next_cursor = _encode(_key(rows[-1])) if rows else None
    else:
        if after_key:
            rows_qs = _after(rows_qs, after_key)
        rows = list(rows_qs.order_by(*asc)[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        next_cursor = _encode(_key(rows[-1])) if rows and has_more else None
        prev_cursor = _encode(_key(rows[0])) if rows and after_key else None
        if not after_key and not has_more:
            return Page(rows=rows, next_cursor=None, prev_cursor=None, total=len(rows))
    total = qs.order_by()[: COUNT_CAP + 1].count()
    return Page(
        rows=rows,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
        total=min(total, COUNT_CAP),
        capped=total > COUNT_CAP,
    )


def _key(device: Device) -> tuple[int, str, int]:
    return device.organisation_id, device.hostname, device.pk
