"""The tariff data file (rules.toml) as a validated, immutable model."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sector = Literal["transport", "other"]
Program = Literal["jkk", "jkm", "jht"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IncomeRules(_Frozen):
    minimum: int = Field(gt=0)
    maximum: int = Field(gt=0)
    levels: tuple[int, ...] = ()
    quick_choices: tuple[int, ...]


class PremiumRules(_Frozen):
    jkk_percent: int
    jht_percent: int
    jkm_flat: int


class PaymentRules(_Frozen):
    periods: tuple[int, ...]
    card_days_after_payment: int
    inactive_after_unpaid_months: int
    contact_center: str
    channels: tuple[str, ...]


class Discount(_Frozen):
    name: str
    percent: int = Field(gt=0, le=100)
    programs: tuple[Program, ...]
    sectors: tuple[Sector, ...]
    start: date
    end: date

    def covers(self, sector: Sector, month_start: date) -> bool:
        return sector in self.sectors and self.start <= month_start <= self.end


class SectorRules(_Frozen):
    pedagang: Sector
    ojek_pangkalan: Sector
    ojek_online: Sector
    petani: Sector
    nelayan: Sector
    lainnya: Sector
    transport_words: tuple[str, ...]


class BenefitRules(_Frozen):
    jkk_home_care_max: int
    jkk_transport_land_max: int
    jkk_transport_sea_max: int
    jkk_transport_air_max: int
    jkk_disability_multiplier: int
    jkk_death_multiplier: int
    jkk_death_periodic: int
    jkk_funeral: int
    jkk_scholarship_max: int
    jkm_total: int
    jkm_lump_sum: int
    jkm_periodic: int
    jkm_funeral: int
    jkm_scholarship_min_years: int
    jht_payout_age: int
    jht_partial_after_years: int


class ReviewRules(_Frozen):
    flag_over_age: int
    flag_under_age: int


class SponsorKind(_Frozen):
    key: str  # apbd_kabupaten, apbd_provinsi, apbn, csr, other
    label: str
    discount: bool  # whether the PP 50/2025 discount applies to the premium it pays


class Rules(_Frozen):
    version: str
    income: IncomeRules
    premium: PremiumRules
    payment: PaymentRules
    discounts: tuple[Discount, ...]
    sectors: SectorRules
    benefits: BenefitRules
    review: ReviewRules
    sponsor_kinds: tuple[SponsorKind, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        if self.income.minimum > self.income.maximum:
            raise ValueError("income.minimum is above income.maximum")
        if not self.payment.periods or 1 not in self.payment.periods:
            raise ValueError("payment.periods must include 1")
        return self

    def sponsor_kind(self, key: str) -> SponsorKind | None:
        return next((k for k in self.sponsor_kinds if k.key == key), None)

    def sector_of(self, occupation: str, detail: str | None = None) -> Sector:
        sector: Sector = getattr(self.sectors, occupation, "other")
        # Only "other work" is placed by its description ("kurir paket"): a trader who delivers
        # ("jualan sayur, antar ke pelanggan") is still a trader.
        if detail and sector == "other" and occupation == "lainnya":
            words = detail.lower().split()
            if any(w.startswith(t) for w in words for t in self.sectors.transport_words):
                return "transport"
        return sector


def load_rules(path: Path | None = None) -> Rules:
    """Read and validate a rules file; the packaged one when no path is given."""
    if path is None:
        text = resources.files("conversations").joinpath("rules.toml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    data = tomllib.loads(text)
    data.pop("sources", None)  # citations for readers and tests/facts_trace.py, not for the bot
    return Rules.model_validate(data)


@cache
def default_rules() -> Rules:
    return load_rules()
