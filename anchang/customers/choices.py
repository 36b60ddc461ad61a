"""Profile categories as choices, so they can be counted (docs/domain.md#profile-groups)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    NO_INTENT = "no_intent", _("No intent")
    SUBSCRIBED = "subscribed", _("Subscribed")
    OWNER = "owner", pgettext_lazy("customer state", "Owner")
    LOST = "lost", _("Lost")


# Followed on a cadence and shown on My day: still a prospect, or a deal being completed.
FOLLOWED_STATES = (State.PROSPECT, State.SUBSCRIBED, State.OWNER)
# The states a person sets by hand (card, PATCH); the others are entered and left only through
# their workflows: loss approval (lost), deals (subscribed, owner), a return registration.
MANUAL_STATES = frozenset({State.PROSPECT, State.NO_INTENT})


class Gender(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class AgeBand(models.TextChoices):
    UNDER_25 = "u25", _("Under 25")
    FROM_25 = "25_34", _("25–34")
    FROM_35 = "35_44", _("35–44")
    FROM_45 = "45_54", _("45–54")
    FROM_55 = "55_plus", _("55 and over")


class Industry(models.TextChoices):
    GOVERNMENT = "government", _("Government / public institution")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    FOREIGN_ENTERPRISE = "foreign_enterprise", _("Foreign enterprise")
    SELF_EMPLOYED = "self_employed", _("Self-employed / business owner")
    EDUCATION_HEALTH = "education_health", _("Education / healthcare")
    FINANCE = "finance", _("Finance")
    IT = "it", _("IT / internet")
    FREELANCE = "freelance", _("Freelance")
    RETIRED = "retired", _("Retired")
    OTHER = "other", _("Other")


class IncomeBand(models.TextChoices):
    UNDER_10 = "u10", _("Under 100k a year")
    FROM_10 = "10_30", _("100k–300k a year")
    FROM_30 = "30_50", _("300k–500k a year")
    FROM_50 = "50_100", _("500k–1m a year")
    OVER_100 = "100_plus", _("Over 1m a year")


class HousingType(models.TextChoices):
    OWN_COMMERCIAL = "own", _("Own commercial housing")
    SELF_BUILT = "self_built", _("Self-built house")
    RENTED = "rented", _("Rented")
    DORMITORY = "dormitory", _("Dormitory / with family")
    OTHER = "other", _("Other")


class Personality(models.TextChoices):
    DECISIVE = "decisive", _("Decisive")
    ANALYTICAL = "analytical", _("Analytical, detail-minded")
    AMIABLE = "amiable", _("Amiable, relationship-minded")
    EXPRESSIVE = "expressive", _("Expressive, enthusiastic")
    CAUTIOUS = "cautious", _("Cautious, hesitant")


class FamilyStructure(models.TextChoices):
    SINGLE = "single", _("Single")
    COUPLE = "couple", _("Couple")
    YOUNG_CHILDREN = "young_children", _("Couple with young children")
    OLDER_CHILDREN = "older_children", _("Couple with grown children")
    THREE_GENERATIONS = "three_generations", _("Three generations")
    OTHER = "other", _("Other")


class FamilyRole(models.TextChoices):
    SELF = "self", _("The customer")
    SPOUSE = "spouse", _("Spouse")
    PARENTS = "parents", _("Parents")
    CHILDREN = "children", _("Children")
    JOINT = "joint", _("Decided together")


class Purpose(models.TextChoices):
    FIRST_HOME = "first_home", _("First home")
    UPGRADE = "upgrade", _("Upgrade")
    INVESTMENT = "investment", _("Investment")
    EDUCATION = "education", _("Children's schooling")
    ELDERLY = "elderly", _("For parents / retirement")
    BUSINESS = "business", _("Business use")
    OTHER = "other", _("Other")


class UnitType(models.TextChoices):
    # real estate
    ROOM_1 = "room_1", _("1 bedroom")
    ROOM_2 = "room_2", _("2 bedrooms")
    ROOM_3 = "room_3", _("3 bedrooms")
    ROOM_4 = "room_4_plus", _("4+ bedrooms")
    VILLA = "villa", _("Villa / townhouse")
    SHOP = "shop", _("Shop / office")
    # dealership
    SEDAN = "sedan", _("Sedan")
    SUV = "suv", _("SUV")
    MPV = "mpv", _("MPV")
    NEV = "nev", _("New-energy vehicle")
    # home improvement
    WHOLE_HOUSE = "whole_house", _("Whole-house renovation")
    KITCHEN_BATH = "kitchen_bath", _("Kitchen and bathroom")
    PARTIAL = "partial", _("Partial renovation")
    FURNISHING = "furnishing", _("Soft furnishing")


class PurchaseHorizon(models.TextChoices):
    # Dealership H/A/B/C (docs/domain.md#grading-horizon); followups.rules.HORIZON_DAYS: same codes.
    WEEK = "week", _("Within a week")
    MONTH = "month", _("Within a month")
    QUARTER = "quarter", _("In one to three months")
    LATER = "later", _("Later than three months")


class DecorStyle(models.TextChoices):
    MODERN = "modern", _("Modern minimalist")
    CHINESE = "chinese", _("New Chinese")
    LIGHT_LUXURY = "light_luxury", _("Light luxury")
    NORDIC = "nordic", _("Nordic")
    JAPANESE = "japanese", _("Japanese")
    EUROPEAN = "european", _("European / American")
    UNDECIDED = "undecided", _("Not decided yet")


class PaymentMethod(models.TextChoices):
    FULL = "full", _("Full payment")
    MORTGAGE = "mortgage", _("Commercial mortgage")
    PROVIDENT_FUND = "provident_fund", _("Housing provident fund loan")
    COMBINED = "combined", _("Combined loan")
    INSTALMENTS = "instalments", _("Instalments / car loan")


class Eligibility(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible to buy")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    UNSURE = "unsure", _("To be confirmed")


class LossReason(models.TextChoices):
    BOUGHT_ELSEWHERE = "bought_elsewhere", _("Bought elsewhere")
    BUDGET = "budget", _("Budget")
    LOCATION = "location", _("Location")
    TIMING = "timing", _("Timing")
    UNREACHABLE = "unreachable", _("Unreachable")
    NO_NEED = "no_need", _("No real need")
    OTHER = "other", _("Other")


class MediumKind(models.TextChoices):
    BILLBOARD = "billboard", _("Billboard")
    NEWSPAPER = "newspaper", _("Newspaper")
    ONLINE = "online", _("Online ads")
    PASSING_BY = "passing_by", _("Passing by")
    REFERRAL = "referral", _("Referral")
    CHANNEL = "channel", _("Channel partner")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")
