"""The asset ledger: organisation tree, devices, egress lines, IP ranges, tokens, settings."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Ledger fields a person enters. Agent data never overwrites them (enrollment fills them
# only while they are empty).
PERSON_FIELDS = (
    "location",
    "department",
    "responsible_person",
    "responsible_phone",
    "asset_tag",
    "pledge_signed",
    "pledge_date",
    "notes",
)


def hash_token(token: str) -> str:
    """What the database keeps of a token: its sha256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class OrgKind(models.TextChoices):
    province = "province", _("Province")
    city = "city", _("City")
    county = "county", _("County bureau")
    # 文广旅体局: supervises the internet cafés. It sits beside the education bureau (under
    # their common parent), so each sees only its own units (accounts/scoping.py).
    culture = "culture", _("Culture and tourism bureau")
    school = "school", _("School")
    cafe = "cafe", _("Internet café")


class Organisation(models.Model):
    """A node of the tree province → city → county (education) bureau → school, and beside
    it culture and tourism bureau → internet café."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Materialised path "/1/5/12/": descendants are one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    code = models.CharField(_("code"), max_length=64, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    def save(self, *args, **kwargs) -> None:
        """Keep ``path`` (and the paths of all descendants) in step with ``parent``."""
        using = kwargs.get("using") or self._state.db or "default"
        manager = Organisation.objects.db_manager(using)
        with transaction.atomic(using=using):
            if self.pk is None:
                super().save(*args, **kwargs)
                args, kwargs = (), {"using": using}
            parent_path = manager.get(pk=self.parent_id).path if self.parent_id else "/"
            if f"/{self.pk}/" in parent_path:
                raise ValueError("an organisation cannot be its own ancestor")
            old_path = self.path
            self.path = parent_path + f"{self.pk}/"
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in manager.filter(path__startswith=old_path).exclude(pk=self.pk):
                    new_child_path = self.path + child.path[len(old_path) :]
                    manager.filter(pk=child.pk).update(path=new_child_path)

    def descendants(self, include_self: bool = True) -> models.QuerySet[Organisation]:
        qs = Organisation.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestors(self) -> list[Organisation]:
        """From the root down to the parent."""
        ids = [int(p) for p in self.path.strip("/").split("/") if p][:-1]
        by_id = Organisation.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class DeviceStatus(models.TextChoices):
    active = "active", _("In use")
    idle = "idle", _("Idle")
    repair = "repair", _("Under repair")
    retired = "retired", _("Retired")


class Verdict(models.TextChoices):
    unknown = "", _("No report yet")
    clean = "clean", _("Clean")
    suspicious = "suspicious", _("Suspicious")
    mining = "mining", _("Mining")
    # the agent's detection did not fully run: "not checked", never counted as clean
    incomplete = "incomplete", _("Not checked")


class Device(models.Model):
    """One information asset of the ledger, identified by its hardware fingerprint."""

    fingerprint = models.CharField(max_length=128, unique=True)
    # Set on a candidate entry (see ledger.services.enroll_device): the fingerprint its agent
    # reports, which another organisation's entry already holds; ``fingerprint`` is then a
    # key derived from it and the candidate's organisation.
    claimed_fingerprint = models.CharField(max_length=128, blank=True, db_index=True)
    # The Ed25519 public key (raw, base64) the device's agent signs hand-carry files with,
    # bound at enrollment or by a person accepting a held file.
    handcarry_key = models.CharField(max_length=64, blank=True)
    # identity parts (the fingerprint is derived from them; kept to spot duplicates)
    system_uuid = models.CharField(max_length=64, blank=True, db_index=True)
    board_serial = models.CharField(max_length=128, blank=True, db_index=True)
    system_serial = models.CharField(max_length=128, blank=True, db_index=True)
    macs = models.JSONField(_("MAC addresses"), default=list, blank=True)
    mac_key = models.CharField(
        max_length=1024, blank=True, db_index=True, help_text="sorted MACs joined by ','"
    )
    machine_id = models.CharField(max_length=64, blank=True)
    machine_guid = models.CharField(max_length=64, blank=True)
    manufacturer = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=200, blank=True)

    hostname = models.CharField(_("hostname"), max_length=255, db_index=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("organisation"),
    )
    # person-entered ledger fields (PERSON_FIELDS)
    location = models.CharField(_("deployment location"), max_length=255, blank=True)
    department = models.CharField(_("managing department"), max_length=255, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    responsible_phone = models.CharField(_("phone"), max_length=50, blank=True)
    asset_tag = models.CharField(_("asset tag"), max_length=100, blank=True, db_index=True)
    pledge_signed = models.BooleanField(_("pledge signed"), default=False)
    pledge_date = models.DateField(_("pledge date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.active
    )
    # False for a device a person added from the ledger import that never ran the agent
    # (a server, a GPU workstation without it): listed as "not reporting", never counted as
    # a silent agent. Its first report (enrollment of the same hostname does not merge it:
    # a person merges it on the duplicates page) does not flip it; the report's device does.
    runs_agent = models.BooleanField(_("runs the agent"), default=True, db_index=True)

    # agent-reported facts
    ip_addresses = models.JSONField(_("IP addresses"), default=list, blank=True)
    network_text = models.CharField(
        max_length=2048, blank=True, help_text="IPs and MACs joined by spaces, for search"
    )
    public_ip = models.GenericIPAddressField(_("public address"), null=True, blank=True)
    high_performance = models.BooleanField(_("high-performance"), default=False, db_index=True)
    high_performance_category = models.CharField(max_length=32, blank=True)
    high_performance_reason = models.TextField(_("high-performance reason"), blank=True)
    os_name = models.CharField(_("operating system"), max_length=255, blank=True)
    cpu_model = models.CharField(_("CPU"), max_length=255, blank=True)
    gpu_models = models.CharField(_("GPUs"), max_length=1024, blank=True)
    memory_mb = models.PositiveIntegerField(_("memory (MB)"), null=True, blank=True)
    hardware = models.JSONField(default=dict, blank=True)
    hardware_summary = models.JSONField(
        default=dict, blank=True, help_text="the parts whose change is recorded (small)"
    )
    signature_version = models.CharField(max_length=64, blank=True)
    agent_version = models.CharField(max_length=64, blank=True)
    last_verdict = models.CharField(
        _("verdict"), max_length=16, choices=Verdict.choices, blank=True, default="", db_index=True
    )
    last_mode = models.CharField(max_length=16, blank=True)
    last_report_id = models.UUIDField(null=True, blank=True)
    last_scan_at = models.DateTimeField(
        _("last scan"), null=True, blank=True, help_text="started_at of the newest report"
    )
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True, db_index=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation_id", "hostname"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [models.Index(fields=["organisation", "hostname"])]

    def __str__(self) -> str:
        return self.hostname or self.fingerprint[:12]


class HardwareChange(models.Model):
    """A difference between two consecutive hardware inventories of one device."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="hardware_changes")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    report_id = models.UUIDField(null=True, blank=True)
    summary = models.CharField(max_length=1024)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at"]


class EgressLine(models.Model):
    """An internet line of an organisation (统计互联网线路出口信息)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="egress_lines"
    )
    isp = models.CharField(_("ISP"), max_length=100)
    addresses = models.TextField(
        _("public addresses / ranges"), help_text="one address or CIDR per line"
    )
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbit/s)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("egress line")

    def address_list(self) -> list[str]:
        return [a.strip() for a in self.addresses.replace(",", "\n").splitlines() if a.strip()]


class ManagedRange(models.Model):
    """An IP range the organisation manages (本单位负责管理的IP地址段)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="managed_ranges"
    )
    cidr = models.CharField(_("CIDR"), max_length=64)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("managed IP range")


class AgentSettings(models.Model):
    """What the bureau pushes to agents; an organisation inherits from its parent when unset."""

    DEFAULTS = {
        "scan_interval_minutes": 360,
        "sample_seconds": 60,
        "deep_scan": False,
        "report_phone": "",
        "report_address": "",
    }

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="agent_settings"
    )
    scan_interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    sample_seconds = models.PositiveIntegerField(null=True, blank=True)
    deep_scan = models.BooleanField(null=True, blank=True)
    # Where to report mining (举报电话 / 举报地址), set by the regulator; shown in the HTML
    # report of every PC below it (the café's owner and customers read it there).
    report_phone = models.CharField(
        _("phone for reporting mining"), max_length=50, null=True, blank=True
    )
    report_address = models.CharField(
        _("address for reporting mining"), max_length=200, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def effective(cls, organisation: Organisation) -> dict:
        """Settings for agents of ``organisation``: the nearest ancestor that sets each one."""
        ids = [int(p) for p in organisation.path.strip("/").split("/") if p]
        rows = {s.organisation_id: s for s in cls.objects.filter(organisation_id__in=ids)}
        result = dict(cls.DEFAULTS)
        for org_id in ids:  # root first; deeper ones override
            row = rows.get(org_id)
            if row is None:
                continue
            for field in cls.DEFAULTS:
                value = getattr(row, field)
                if value is not None:
                    result[field] = value
        return result


class EnrollmentToken(models.Model):
    """A secret a school uses to enroll its agents; only its sha256 is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="enrollment_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    max_uses = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enrollment token")

    PREFIX = "mce_"

    @classmethod
    def issue(
        cls,
        organisation: Organisation,
        *,
        expires_days: int | None = None,
        max_uses: int | None = None,
        note: str = "",
        created_by=None,
        using: str | None = None,
    ) -> tuple[EnrollmentToken, str]:
        """Create a token; the plain value is returned once and never stored."""
        plain = cls.PREFIX + secrets.token_urlsafe(24)
        expires = timezone.now() + timedelta(days=expires_days) if expires_days else None
        token = cls.objects.db_manager(using or organisation._state.db).create(
            organisation=organisation,
            token_hash=hash_token(plain),
            prefix=plain[:10],
            expires_at=expires,
            max_uses=max_uses,
            note=note,
            created_by=created_by,
        )
        return token, plain

    def usable(self) -> bool:
        if self.revoked:
            return False
        if self.expires_at and self.expires_at <= timezone.now():
            return False
        return not (self.max_uses is not None and self.uses >= self.max_uses)

    def revoke(self) -> None:
        self.revoked = True
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked", "revoked_at"])


class DeviceToken(models.Model):
    """The per-device secret an agent authenticates with; only its sha256 is stored."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enrollment_token = models.ForeignKey(
        EnrollmentToken, null=True, blank=True, on_delete=models.SET_NULL
    )
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=64, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    PREFIX = "mcd_"

    @classmethod
    def issue(
        cls, device: Device, enrollment_token: EnrollmentToken | None = None
    ) -> tuple[DeviceToken, str]:
        plain = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            device=device, token_hash=hash_token(plain), enrollment_token=enrollment_token
        )
        return token, plain


class MoveStatus(models.TextChoices):
    pending = "pending", _("Waiting for a decision")
    moved = "moved", _("Moved")
    rejected = "rejected", _("Rejected")


class PendingMove(models.Model):
    """An enrollment in one organisation of a PC the ledger holds in another: the agent got a
    separate candidate entry; only a person who sees both organisations moves the device."""

    device = models.ForeignKey(
        Device, null=True, on_delete=models.SET_NULL, related_name="pending_moves_out"
    )
    candidate = models.ForeignKey(
        Device, null=True, on_delete=models.SET_NULL, related_name="pending_moves_in"
    )
    fingerprint = models.CharField(max_length=128, db_index=True)
    from_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    enrollment_token = models.ForeignKey(
        EnrollmentToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=16, choices=MoveStatus.choices, default=MoveStatus.pending, db_index=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]


class DeviceAlias(models.Model):
    """A fingerprint that now belongs to another device (after a person merged duplicates)."""

    fingerprint = models.CharField(max_length=128, unique=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="aliases")
    merged_at = models.DateTimeField(default=timezone.now)


def candidate_fingerprint(organisation: Organisation, fingerprint: str) -> str:
    """The ``fingerprint`` column of a candidate entry (unique per organisation)."""
    digest = hashlib.sha256(f"{organisation.pk}:{fingerprint}".encode()).hexdigest()
    return "candidate:" + digest[:64]


def device_for_fingerprint(fingerprint: str) -> Device | None:
    """The ledger entry of a fingerprint, following merges."""
    device = Device.objects.filter(fingerprint=fingerprint).first()
    if device is None:
        alias = DeviceAlias.objects.select_related("device").filter(fingerprint=fingerprint).first()
        device = alias.device if alias else None
    return device


def fingerprint_belongs(device: Device, fingerprint: str) -> bool:
    if fingerprint in (device.fingerprint, device.claimed_fingerprint):
        return True
    return DeviceAlias.objects.filter(device=device, fingerprint=fingerprint).exists()
