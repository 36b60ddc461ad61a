"""Customers, their phones, calls and visits (registrations), ownership conflicts and the
awareness-media catalogue. Business rules live in services.py and rules.py."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from anchang.choices_display import ChoicesDisplay
from anchang.customers import choices as c
from anchang.dbfunctions import MonthDay


class Medium(ChoicesDisplay, models.Model):
    """认知媒体: where a customer heard of the project; a catalogue per project."""

    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="media", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("type"), max_length=20, choices=c.MediumKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("awareness medium")
        verbose_name_plural = _("awareness media")
        ordering = ["project_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="medium_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Customer(ChoicesDisplay, models.Model):
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="customers", verbose_name=_("project")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("owner"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=c.State.choices, default=c.State.PROSPECT
    )
    medium = models.ForeignKey(
        Medium,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("awareness medium"),
    )
    # background
    name = models.CharField(pgettext_lazy("person", "Name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=c.Gender.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=10, choices=c.AgeBand.choices, blank=True)
    phone = models.CharField(_("mobile"), max_length=20)  # E.164
    phone2 = models.CharField(_("second phone"), max_length=20, blank=True)
    hometown = models.CharField(_("hometown"), max_length=50, blank=True)
    address_area = models.CharField(_("lives in (district)"), max_length=50, blank=True)
    # economic
    industry = models.CharField(
        _("industry"), max_length=20, choices=c.Industry.choices, blank=True
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=50, blank=True)
    personal_income_band = models.CharField(
        _("personal income"), max_length=10, choices=c.IncomeBand.choices, blank=True
    )
    family_income_band = models.CharField(
        _("family income"), max_length=10, choices=c.IncomeBand.choices, blank=True
    )
    cars = models.CharField(_("cars"), max_length=100, blank=True)
    investments = models.CharField(_("investments"), max_length=200, blank=True)
    # housing
    current_community = models.CharField(_("current residence"), max_length=100, blank=True)
    housing_type = models.CharField(
        _("current housing"), max_length=20, choices=c.HousingType.choices, blank=True
    )
    current_area = models.PositiveIntegerField(_("current area (m²)"), null=True, blank=True)
    is_brand_owner = models.BooleanField(_("already owns our brand"), null=True, blank=True)
    other_property = models.CharField(_("other property"), max_length=200, blank=True)
    # personal
    appearance_notes = models.CharField(_("appearance notes"), max_length=200, blank=True)
    personality = models.CharField(
        _("personality"), max_length=20, choices=c.Personality.choices, blank=True
    )
    hobbies = models.CharField(_("hobbies"), max_length=200, blank=True)
    brands = models.CharField(_("favourite brands"), max_length=200, blank=True)
    beliefs = models.CharField(_("beliefs and taboos"), max_length=200, blank=True)
    social_circle = models.CharField(_("social circle"), max_length=200, blank=True)
    # family
    family_structure = models.CharField(
        _("family structure"), max_length=20, choices=c.FamilyStructure.choices, blank=True
    )
    spouse_info = models.CharField(_("spouse"), max_length=200, blank=True)
    children_info = models.CharField(_("children"), max_length=200, blank=True)
    money_holder = models.CharField(
        _("holds the money"), max_length=10, choices=c.FamilyRole.choices, blank=True
    )
    decision_maker = models.CharField(
        _("decides"), max_length=10, choices=c.FamilyRole.choices, blank=True
    )
    # key care dates (more in KeyDate)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    # purchase focus
    purpose = models.CharField(_("purpose"), max_length=20, choices=c.Purpose.choices, blank=True)
    unit_type = models.CharField(
        _("intended product"), max_length=20, choices=c.UnitType.choices, blank=True
    )
    area_min = models.PositiveIntegerField(_("area from (m²)"), null=True, blank=True)
    area_max = models.PositiveIntegerField(_("area to (m²)"), null=True, blank=True)
    floor_pref = models.CharField(_("floor preference"), max_length=50, blank=True)
    building_pref = models.CharField(_("building preference"), max_length=50, blank=True)
    budget_min = models.PositiveIntegerField(_("budget from (10k yuan)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget to (10k yuan)"), null=True, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=c.PaymentMethod.choices, blank=True
    )
    eligibility = models.CharField(
        _("purchase eligibility"), max_length=20, choices=c.Eligibility.choices, blank=True
    )
    # trade-specific purchase focus (which trade asks for which: org.rules per-trade defaults)
    purchase_horizon = models.CharField(
        _("plans to buy"), max_length=10, choices=c.PurchaseHorizon.choices, blank=True
    )
    trade_in = models.BooleanField(_("has a car to trade in"), null=True, blank=True)
    house_area = models.PositiveIntegerField(_("area to renovate (m²)"), null=True, blank=True)
    decor_style = models.CharField(
        _("preferred style"), max_length=20, choices=c.DecorStyle.choices, blank=True
    )
    measure_wanted = models.BooleanField(_("wants a measuring visit"), null=True, blank=True)
    loss_reason = models.CharField(
        _("loss reason"), max_length=20, choices=c.LossReason.choices, blank=True
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    # grading and follow-up (set by anchang.followups services)
    grade = models.CharField(_("intent grade"), max_length=1, blank=True)
    grade_checks = models.JSONField(_("grading checklist"), default=dict, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    last_reached_at = models.DateTimeField(_("last reached"), null=True, blank=True)

    # derived, kept by the services for fast filters and search
    name_pinyin = models.CharField(max_length=120, blank=True, editable=False)
    name_initials = models.CharField(max_length=40, blank=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    completeness = models.PositiveSmallIntegerField(_("completeness (%)"), default=0)
    visit_count = models.PositiveIntegerField(_("visits"), default=0)
    call_count = models.PositiveIntegerField(_("calls"), default=0)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    # The shared pool (公海): the reclaim clocks start when the current owner got the customer;
    # a customer in the pool has no owner and pool_entered_at set.
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True)
    pool_entered_at = models.DateTimeField(_("in the shared pool since"), null=True, blank=True)

    version = models.PositiveIntegerField(default=1)  # optimistic locking: stale edits get 409
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "version",
            "name_pinyin",
            "name_initials",
            "phone_last4",
            "completeness",
            "visit_count",
            "call_count",
            "first_contact_at",
            "last_contact_at",
            "grade_checks",
            "next_follow_up_on",
            "last_reached_at",
            "owned_since",
        ]
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["project", "phone"], name="customer_phone_unique")
        ]
        indexes = [
            models.Index(fields=["project", "owner", "-id"]),
            models.Index(fields=["owner", "-id"]),
            models.Index(fields=["project", "-id"], name="customer_project_recent"),
            models.Index(fields=["project", "phone_last4"], name="customer_last4"),
            models.Index(fields=["project", "name_pinyin"], name="customer_pinyin"),
            models.Index(fields=["project", "name_initials"], name="customer_initials"),
            models.Index(fields=["project", "name"], name="customer_name"),
            models.Index(fields=["project", "last_contact_at"], name="customer_last_contact"),
            # The agenda: one indexed query per consultant and day.
            models.Index(fields=["owner", "next_follow_up_on"], name="customer_agenda"),
            models.Index(fields=["project", "pool_entered_at"], name="customer_pool"),
            # An integrator's sync: ?modified_since= reads what changed, not every row.
            models.Index(fields=["project", "updated_at"], name="customer_updated"),
            # New today, per project and consultant (the manager's board, the morning
            # figures): a range of today's rows, the owner read from the index.
            models.Index(fields=["project", "created_at", "owner"], name="customer_created"),
            # One consultant's customers as My day and the team's overdue board read them: the
            # counts, the new ones and the pool clocks (warnings, the tick) come from the index
            # alone; a second index led by (project, owner, state) would split the planner's
            # choice between them.
            models.Index(
                fields=[
                    "project",
                    "owner",
                    "state",
                    "next_follow_up_on",
                    "created_at",
                    "owned_since",
                    "last_reached_at",
                ],
                name="customer_day",
                # PostgreSQL: the id too, so "is this one of mine" subqueries read only the
                # index (SQLite's indexes always carry the rowid).
                include=["id"],
            ),
            # My day's birthdays in the next 7 days: a few index probes, not 2,000 rows.
            models.Index(
                F("owner"),
                MonthDay("birthday"),
                name="customer_birthday",
                condition=Q(birthday__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The tally's key for a customer that is on no board (not followed, or no date set), and for
# one without an owner: sentinels, not NULLs, so each key is one value to group by.
TALLY_NOT_DUE = date(1, 1, 1)
TALLY_NO_OWNER = 0


class CustomerTally(models.Model):
    """How many customers each consultant holds in a project, by the day their next
    follow-up is due (TALLY_NOT_DUE when they are not followed or have no date): the
    manager's board sums a few thousand of these rows instead of counting 200,000 customers.

    A ledger of +1/-1 entries that database triggers on the customer table write, so every
    write path keeps it true, an UPDATE of many rows or a restore included, and no two
    writers wait on one counter row; the tick folds each key's entries into one row. The
    triggers, the fold and `tally_rebuild` (the customers stay the record) are in
    services/tally.py; after every migrate the triggers are checked and put back."""

    id = models.BigAutoField(primary_key=True)
    project_id = models.IntegerField()
    owner_id = models.IntegerField()  # TALLY_NO_OWNER: in the shared pool
    due_on = models.DateField()
    customers = models.IntegerField()  # +1 / -1 per change; a folded key's sum

    class Meta:
        indexes = [
            models.Index(
                fields=["project_id", "owner_id", "due_on", "customers"], name="tally_board"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.owner_id}/{self.due_on}: {self.customers:+d}"


class CustomerPhone(models.Model):
    """Every phone of every customer, unique per project across the primary and the second
    number: the database, not the code, guarantees one customer per phone."""

    # No index of their own: the unique pairs below lead with them. A second index of the
    # project alone cost every insert, and PostgreSQL, planning from statistics an import had
    # outgrown, scanned all of a project's phones through it to find a few.
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="phones", db_index=False
    )
    phone = models.CharField(max_length=20)
    slot = models.PositiveSmallIntegerField(default=1)  # 1 primary, 2 second

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "phone"], name="phone_unique_in_project"),
            models.UniqueConstraint(fields=["customer", "slot"], name="phone_slot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}#{self.slot}"


class KeyDate(ChoicesDisplay, models.Model):
    """Key care dates beyond the birthday: family birthdays, anniversaries, school entry."""

    class Kind(models.TextChoices):
        FAMILY_BIRTHDAY = "family_birthday", _("Family member's birthday")
        ANNIVERSARY = "anniversary", _("Anniversary")
        SCHOOL = "school", _("Child starts school")
        COMPANY = "company", _("Company celebration")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="key_dates")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("key care date")
        verbose_name_plural = _("key care dates")
        # My day finds the care dates of the coming week by month and day.
        indexes = [models.Index(MonthDay("date"), F("customer"), name="keydate_month_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class Registration(ChoicesDisplay, models.Model):
    """来电/来访: one call or visit, as registered. Kept whatever the outcome."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")

    class Outcome(models.TextChoices):
        NEW_CUSTOMER = "new_customer", _("New customer")
        RETURN = "return", _("Return")
        CONFLICT = "conflict", _("Ownership conflict")

    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="registrations"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="registrations")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("registered by"),
    )
    occurred_at = models.DateTimeField(_("time"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    is_late = models.BooleanField(_("late entry"), default=False)
    medium = models.ForeignKey(
        Medium,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("awareness medium"),
    )
    name_given = models.CharField(_("name given"), max_length=50)
    content = models.TextField(_("what was discussed"), max_length=2000)
    companions = models.PositiveSmallIntegerField(_("companions"), default=0)
    intended_product = models.CharField(_("intended product"), max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="registration_idempotency",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(fields=["project", "-occurred_at"]),
            models.Index(fields=["consultant", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class OwnershipConflict(ChoicesDisplay, models.Model):
    """撞单: a consultant registered a phone another consultant owns; a manager decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Owner kept")
        TRANSFERRED = "transferred", _("Transferred to the claimant")
        # the owner keeps the customer; the claimant shares a deal's credit as a stand-in
        SPLIT = "split", _("Credit split")

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="conflicts")
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="conflict"
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # None: the customer was in the shared pool and the claimant could not take them.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The outcome the project's ownership rule proposes from the evidence as it stood when
    # the claimant registered (kept, transferred or split; blank: none proposed), and why:
    # [{"code": …, "days": …}] (assignment.rules.propose). Deciding otherwise needs a note.
    proposed = models.CharField(_("proposed"), max_length=20, blank=True, choices=Status.choices)
    proposal = models.JSONField(default=list, blank=True)
    # the claimant registered the customer's second number (a family member's)
    via_second_phone = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ownership conflict")
        verbose_name_plural = _("ownership conflicts")
        indexes = [models.Index(fields=["project", "status", "-id"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_status_display()}"
