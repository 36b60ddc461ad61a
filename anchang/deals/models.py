"""What a project sells (buildings and units, vehicles, packages), the deals (成交) with their
stage timeline, approvals, milestone tasks, payment plans and the receipts ledger.

Money is integer fen. A unit has one active deal under a database constraint; a deal's
received amount is the sum of its ledger, kept beside it in the same transaction."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anchang.choices_display import ChoicesDisplay
from anchang.deals import rules


class Building(models.Model):
    """楼栋: its units come from a pattern (floors × units per floor, a naming rule)."""

    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="buildings", verbose_name=_("project")
    )
    name = models.CharField(_("building"), max_length=20)
    floors = models.PositiveSmallIntegerField(_("floors"))
    units_per_floor = models.PositiveSmallIntegerField(_("units per floor"))
    pattern = models.CharField(_("naming rule"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["project_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="building_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(ChoicesDisplay, models.Model):
    """房源: a flat, a vehicle of the stock or a service package, with its sale status."""

    class Kind(models.TextChoices):
        FLAT = "flat", _("Flat")
        VEHICLE = "vehicle", _("Vehicle")
        PACKAGE = "package", _("Service package")

    class Status(models.TextChoices):
        AVAILABLE = "available", pgettext_lazy("unit status", "Available")
        HELD = "held", pgettext_lazy("unit status", "Held")
        RESERVED = "reserved", pgettext_lazy("unit status", "Reserved")
        SUBSCRIBED = "subscribed", pgettext_lazy("unit status", "Subscribed")
        SIGNED = "signed", pgettext_lazy("unit status", "Signed")
        SOLD = "sold", pgettext_lazy("unit status", "Sold")
        WITHDRAWN = "withdrawn", pgettext_lazy("unit status", "Not for sale")

    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="units", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("number"), max_length=40)  # 房号, stock number, package code
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="units",
        verbose_name=_("building"),
    )  # fmt: skip
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("unit on the floor"), null=True, blank=True)
    # flats
    layout = models.CharField(_("layout"), max_length=20, blank=True)
    gross_area = models.DecimalField(
        _("gross area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    net_area = models.DecimalField(
        _("net area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    orientation = models.CharField(_("orientation"), max_length=10, blank=True)
    # vehicles
    model_name = models.CharField(_("model"), max_length=40, blank=True)
    trim = models.CharField(_("trim"), max_length=40, blank=True)
    colour = models.CharField(_("colour"), max_length=20, blank=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    # packages
    name = models.CharField(_("name"), max_length=60, blank=True)
    # prices (fen); the floor price (底价) is read by who may manage the catalogue only
    standard_price = models.BigIntegerField(_("standard price"))
    floor_price = models.BigIntegerField(_("floor price"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.AVAILABLE
    )
    # a hold (锁定): by whom, for which customer, until when
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    held_for = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    held_until = models.DateTimeField(null=True, blank=True)
    reserve_reason = models.CharField(_("reason"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="unit_code_unique"),
            models.UniqueConstraint(
                fields=["building", "floor", "position"],
                name="unit_slot_unique",
                condition=Q(building__isnull=False),
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(standard_price__gt=0) & Q(standard_price__lt=rules.FEN_MAX),
                name="unit_price_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["building", "floor", "position"]),
            models.Index(fields=["project", "status"]),
            models.Index(fields=["held_until"], condition=Q(status="held"), name="unit_hold_ends"),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class Deal(ChoicesDisplay, models.Model):
    """成交: a customer buying a unit (or a package), from the first stage to the last."""

    class PaymentMethod(models.TextChoices):
        FULL = "full", _("Full payment")
        MORTGAGE = "mortgage", _("Commercial mortgage")
        PROVIDENT = "provident", _("Provident-fund loan")
        COMBINED = "combined", _("Combined loan")
        INSTALMENTS = "instalments", _("Instalments")

    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="deals", verbose_name=_("project")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="deals",
        verbose_name=_("customer"),
    )  # fmt: skip
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="deals",
        verbose_name=_("unit"),
    )  # fmt: skip
    # a home-improvement order names its service package (sold any number of times)
    package = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="package_deals",
        verbose_name=_("service package"),
    )  # fmt: skip
    buyer_name = models.CharField(_("buyer"), max_length=50)
    # who is credited (the customer's owner by default) and a stand-in's share
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals",
        verbose_name=_("consultant"),
    )  # fmt: skip
    stand_in = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("stand-in"),
    )  # fmt: skip
    stand_in_share = models.PositiveSmallIntegerField(_("stand-in's share (%)"), default=0)
    # 渠道: the channel report this deal is credited to (its commission's status is there)
    channel_report = models.ForeignKey(
        "assignment.ChannelReport", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    designer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="designed_deals", verbose_name=_("designer"),
    )  # fmt: skip
    stage = models.CharField(_("stage"), max_length=20)
    stage_at = models.DateTimeField(_("stage since"))
    # False once cancelled: one unit, one active deal (deal_one_active_per_unit)
    is_active = models.BooleanField(_("active"), default=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    standard_price = models.BigIntegerField(_("standard price"))
    deal_price = models.BigIntegerField(_("deal price"))
    discount_permille = models.PositiveSmallIntegerField(_("discount (‰)"), default=0)
    discount_approved = models.BooleanField(default=True)
    payment_method = models.CharField(
        _("payment method"), max_length=12, choices=PaymentMethod.choices
    )
    bank = models.CharField(_("bank"), max_length=40, blank=True)
    loan_amount = models.BigIntegerField(_("loan amount"), default=0)
    loan_years = models.PositiveSmallIntegerField(_("loan years"), default=0)
    due_on = models.DateField(_("due signing date"), null=True, blank=True)
    # the ledger's sums, written in the same transaction as each entry
    planned_total = models.BigIntegerField(default=0)
    received_total = models.BigIntegerField(default=0)
    # the earliest due date of a plan line not yet covered by receipts; None: nothing due
    collect_due_on = models.DateField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(is_active=True) & Q(unit__isnull=False),
                name="deal_one_active_per_unit",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                name="deal_idempotency_unique",
                condition=Q(idempotency_key__isnull=False),
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(deal_price__gt=0) & Q(deal_price__lt=rules.FEN_MAX),
                name="deal_price_positive",
            ),
            models.CheckConstraint(
                condition=Q(received_total__lte=models.F("planned_total")),
                name="deal_received_within_plan",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "is_active", "-created_at"]),
            models.Index(fields=["consultant", "is_active", "-created_at"]),
            models.Index(fields=["project", "stage", "-created_at"]),
            models.Index(fields=["customer"]),
            models.Index(
                fields=["project", "collect_due_on"],
                condition=Q(collect_due_on__isnull=False),
                name="deal_collect_due",
            ),  # fmt: skip
            models.Index(fields=["project", "due_on"]),
            # the deal list: a project's deals in progress, newest first. SQLite cannot use
            # (project, is_active, -created_at) for it (Django writes a bare "is_active", not
            # "= 1", so only the project prefix applies and 38,000 deals were sorted: p95
            # 778 ms at 200,000 deals, bench/); in the list's own order it reads one page.
            models.Index(
                fields=["project", "-created_at", "-id"],
                condition=Q(is_active=True),
                name="deal_active_newest",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.buyer_name} · {self.unit_id or '-'}"

    @property
    def outstanding(self) -> int:
        return self.planned_total - self.received_total


class StageChange(models.Model):
    """The deal's timeline: every stage entered, side move and cancellation, with who."""

    class Kind(models.TextChoices):
        ENTERED = "entered", _("Stage entered")
        SIDE = "side", _("Side move")
        CANCELLED = "cancelled", _("Cancelled")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="timeline")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    stage = models.CharField(max_length=20)  # entered, or the stage the move happened in
    what = models.CharField(max_length=20, blank=True)  # side move or cancellation kind
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["deal", "at"]),
            # the tick finds the deals whose milestone anchor (a stage entered) is N days old
            models.Index(
                fields=["project", "stage", "at"],
                condition=Q(kind="entered"),
                name="stage_entered_at",
            ),  # fmt: skip
        ]
        constraints = [
            # a stage is entered once: a double tap moves a deal one step, not two
            models.UniqueConstraint(
                fields=["deal", "stage"], condition=Q(kind="entered"), name="stage_entered_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.kind} {self.stage}"


class Approval(ChoicesDisplay, models.Model):
    """What a manager decides on a deal or a unit: a discount beyond the consultant's limit,
    a cancellation, a side move, a reservation (预留), a price change (调价: the approved
    rows are the unit's price history) or a refund. One pending per subject and kind."""

    class Kind(models.TextChoices):
        DISCOUNT = "discount", _("Discount")
        CANCEL = "cancel", _("Cancellation")
        CHANGE_UNIT = "change_unit", _("Change of unit")
        RENAME = "rename", _("Change of buyer's name")
        DELAY = "delay", _("Delayed signing")
        REPRICE = "reprice", _("New deal price")
        RESERVE = "reserve", _("Reservation")
        PRICE = "price", _("Price change")
        REFUND = "refund", _("Refund")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    deal = models.ForeignKey(
        Deal, on_delete=models.PROTECT, null=True, blank=True, related_name="approvals"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="approvals"
    )
    # what is asked: the new price, the new unit, the new name, the new date, the amount
    payload = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        indexes = [models.Index(fields=["project", "status", "-requested_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "kind"],
                condition=Q(status="pending") & Q(deal__isnull=False),
                name="approval_one_pending_per_deal",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["unit", "kind"],
                condition=Q(status="pending") & Q(unit__isnull=False),
                name="approval_one_pending_per_unit",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"


class MilestoneTask(models.Model):
    """A milestone task (DOMAIN §6): dated from its anchor, closed by a follow-up of a kind
    the plan allows. One per deal and plan item, so creating it twice makes one."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="tasks")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="milestone_tasks"
    )
    key = models.CharField(max_length=30)
    due_on = models.DateField()
    closes_with = models.CharField(max_length=60)  # follow-up kinds, comma-separated
    done_at = models.DateTimeField(null=True, blank=True)
    followup = models.ForeignKey(
        "followups.FollowUp", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # a cancelled deal's open tasks are dropped, not done
    dropped = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("milestone task")
        verbose_name_plural = _("milestone tasks")
        constraints = [models.UniqueConstraint(fields=["deal", "key"], name="milestone_task_once")]
        indexes = [
            models.Index(
                fields=["assignee", "due_on"],
                condition=Q(done_at__isnull=True, dropped=False),
                name="milestone_task_open",
            ),  # fmt: skip
            models.Index(
                fields=["customer", "due_on"],
                condition=Q(done_at__isnull=True, dropped=False),
                name="milestone_task_customer_open",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.key} {self.due_on}"

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.closes_with.split(","))


class PaymentLine(ChoicesDisplay, models.Model):
    """One line of a deal's payment plan: what is due, when."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        DOWN_PAYMENT = "down_payment", _("Down payment")
        INSTALMENT = "instalment", _("Instalment")
        LOAN = "loan", _("Loan")
        DESIGN_FEE = "design_fee", _("Design fee")
        BALANCE = "balance", _("Balance")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="plan")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    amount = models.BigIntegerField(_("amount"))

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["deal", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lt=rules.FEN_MAX),
                name="payment_line_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.kind} {self.due_on}"


class Receipt(ChoicesDisplay, models.Model):
    """回款: the collections ledger. A receipt is positive; a refund a negative entry of an
    approved refund. Never edited, never deleted."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CARD = "card", _("Bank card")
        TRANSFER = "transfer", _("Bank transfer")
        POS = "pos", _("POS terminal")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        LOAN = "loan", _("Loan disbursed")

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="receipts")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("amount"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    voucher = models.CharField(_("voucher number"), max_length=40)
    approval = models.OneToOneField(
        Approval, on_delete=models.PROTECT, null=True, blank=True, related_name="receipt"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"))
    at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        indexes = [models.Index(fields=["deal", "at"]), models.Index(fields=["project", "-at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "idempotency_key"],
                name="receipt_idempotency_unique",
                condition=Q(idempotency_key__isnull=False),
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["project", "voucher"],
                condition=Q(amount__gt=0),
                name="receipt_voucher_unique",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=~Q(amount=0) & Q(amount__gt=-rules.FEN_MAX) & Q(amount__lt=rules.FEN_MAX),
                name="receipt_amount_nonzero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.amount} {self.voucher}"


class DesignerProfile(models.Model):
    """A designer (设计师) of a store as dispatch reads them: the project's priority order,
    the styles they design, senior or not, and a pause after a refused order."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="designer_profiles"
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    styles = models.JSONField(_("styles"), default=list, blank=True)
    senior = models.BooleanField(_("senior designer"), default=False)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    is_active = models.BooleanField(_("takes orders"), default=True)

    class Meta:
        verbose_name = _("designer")
        verbose_name_plural = _("designers")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="designer_once_a_project")
        ]

    def __str__(self) -> str:
        return str(self.user)


class Dispatch(ChoicesDisplay, models.Model):
    """派单: a designer proposed for an order by the rules, confirmed or overridden by a
    manager (with a reason), or refused by the designer (logged, and they pause)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        OVERRIDDEN = "overridden", _("Given to another designer")
        REFUSED = "refused", _("Refused by the designer")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="dispatches")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    # who the rules proposed (None: nobody was free) and who got the order
    proposed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    designer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    reasons = models.JSONField(default=list, blank=True)  # the rule's reasons
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    note = models.CharField(_("reason"), max_length=300, blank=True)  # override or refusal
    at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        indexes = [models.Index(fields=["project", "status", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["deal"], condition=Q(status="proposed"), name="dispatch_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.status}"


class ContractForm(ChoicesDisplay, models.Model):
    """合同文本: a numbered blank contract form, controlled stock. Its moves are a ledger
    (ContractFormMove); the row says where it is now."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("In stock")
        ISSUED = "issued", _("Issued")
        SIGNED = "signed", _("Returned signed")
        VOID = "void", _("Returned void")
        AT_FINANCE = "at_finance", _("Passed to finance")

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("form number"), max_length=30)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_STOCK)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("held by"),
    )  # fmt: skip
    deal = models.ForeignKey(
        Deal, on_delete=models.PROTECT, null=True, blank=True, related_name="contract_forms"
    )
    moved_at = models.DateTimeField()

    class Meta:
        verbose_name = _("contract form")
        verbose_name_plural = _("contract forms")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="contract_form_number")
        ]
        indexes = [models.Index(fields=["project", "status", "moved_at"])]

    def __str__(self) -> str:
        return self.number


class ContractFormMove(ChoicesDisplay, models.Model):
    """One move of a contract form: received into stock, issued to a named person, returned
    signed or void, passed to finance. Never changed."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received into stock")
        ISSUED = "issued", _("Issued")
        SIGNED = "signed", _("Returned signed")
        VOID = "void", _("Returned void")
        TO_FINANCE = "to_finance", _("Passed to finance")

    form = models.ForeignKey(ContractForm, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    deal = models.ForeignKey(
        Deal, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["form", "at"])]

    def __str__(self) -> str:
        return f"{self.form_id} {self.kind}"


class ContractFormRequest(models.Model):
    """A month's request for blank forms: how many, from the stock and the signings expected."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # its first day
    count = models.PositiveIntegerField()
    expected_signings = models.PositiveIntegerField()
    in_stock = models.PositiveIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "-at"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m} {self.count}"
