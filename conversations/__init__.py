"""Pure conversation logic: no I/O, no channel, no database.

`advance(session, incoming, ctx)` is the single entry point; see engine.py.
"""

from .engine import FLOW_VERSION, advance
from .model import (
    Attachment,
    CampaignerActive,
    Context,
    Effect,
    Funnel,
    Household,
    HouseholdOf,
    Incoming,
    Kind,
    KnownRegistration,
    NeedData,
    Option,
    Outcome,
    Query,
    Registration,
    RegistrationByNik,
    RemindersChoice,
    RemindersOn,
    Reply,
    Review,
    ReviewOf,
    SaveRegistration,
    Session,
)
from .rules import Rules, default_rules, load_rules

__all__ = [
    "FLOW_VERSION",
    "Attachment",
    "CampaignerActive",
    "Context",
    "Effect",
    "Funnel",
    "Household",
    "HouseholdOf",
    "Incoming",
    "Kind",
    "KnownRegistration",
    "NeedData",
    "Option",
    "Outcome",
    "Query",
    "Registration",
    "RegistrationByNik",
    "RemindersChoice",
    "RemindersOn",
    "Reply",
    "Review",
    "ReviewOf",
    "Rules",
    "SaveRegistration",
    "Session",
    "advance",
    "default_rules",
    "load_rules",
]
