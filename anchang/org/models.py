"""Company → Region → Project → Team, staff and the roles they hold.

A role is held per project (consultant, manager, ...), per region (regional marketing)
or company-wide (admin, auditor): one person can manage one project and be absent
from another.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from anchang.choices_display import ChoicesDisplay


class Company(models.Model):
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """事业部 / 城市公司: a business unit; membership points are scoped here."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="regions")
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="region_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Project(ChoicesDisplay, models.Model):
    """案场 / 楼盘 / 门店: a sales office or store; customers belong to one."""

    class Kind(models.TextChoices):
        REAL_ESTATE = "real_estate", _("Real-estate sales centre")
        DEALERSHIP = "dealership", _("Car dealership")
        HOME_IMPROVEMENT = "home_improvement", _("Home-improvement store")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Only the rules that differ from the defaults; read through org.selectors.project_rules.
    rules_overrides = models.JSONField(_("rule overrides"), default=dict, blank=True)
    rules_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="team_name_unique")]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"


class User(AbstractUser):
    """A staff member. `name` is the full Chinese name shown everywhere (张伟)."""

    name = models.CharField(_("full name"), max_length=50, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.name or self.username


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Sales consultant")
    MANAGER = "manager", _("Sales manager")
    CLERK = "clerk", _("Sales clerk")
    PLANNER = "planner", _("Planner")
    CARE = "care", _("Customer-care specialist")
    MARKETING = "marketing", _("Regional marketing")
    AUDITOR = "auditor", _("Auditor")
    DESIGNER = "designer", _("Designer")
    CHANNEL = "channel", _("Channel agent")  # 渠道经纪人: reports customers, sees only those
    ADMIN = "admin", _("Administrator")


class Membership(ChoicesDisplay, models.Model):
    """One role held by one person at one place: a project, a region, or the company."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="memberships")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "project"],
                condition=Q(project__isnull=False),
                name="membership_unique_project",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="membership_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "company"],
                condition=Q(project__isnull=True, region__isnull=True),
                name="membership_unique_company",
            ),
            # A project-level role names its project; a region-level one no project.
            models.CheckConstraint(
                condition=Q(project__isnull=True) | Q(region__isnull=True),
                name="membership_one_anchor",
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        where = self.project or self.region or self.company
        return f"{self.user} · {self.get_role_display()} · {where}"


class ApiToken(AbstractAuthToken):
    """A personal API token; only its hash is stored, so it is shown once, at creation."""

    name = models.CharField(_("name"), max_length=64)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
