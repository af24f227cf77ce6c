"""The OCOP product registry's rules: certificate validity, expiry, when a re-evaluation opens.

A rated product holds a certificate when its stars reach the plan's ``registry.min_stars`` (3★
under both criteria sets). The certificate is valid from its decision date for
``registry.validity_months`` calendar months (36 under Decision 148/QĐ-TTg): valid on the
decision date, no longer valid on the expiry date (a certificate of 15/03/2027 expires on
15/03/2030; the 29th–31st of a month that the expiry month lacks become its last day).
``registry.notice_days`` calendar days before the expiry date a re-evaluation is due to open.

=============  ====================================================================
status         on a day ``d``
=============  ====================================================================
uncertified    below ``min_stars`` (or no stars): no certificate, never counted
valid          decision date ≤ d < expiry − notice days
expiring       expiry − notice days ≤ d < expiry: a re-evaluation should be open
expired        d ≥ expiry (flagged; no longer counted by ``valid_only`` targets)
pending        d < decision date (recorded ahead of its decision)
=============  ====================================================================
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from agencyflow.domain.plan_parts import RegistrySpec


class ProductStatus(StrEnum):
    """Where a registry product stands on a day (see the module docstring)."""

    UNCERTIFIED = "uncertified"
    PENDING = "pending"
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (clamped to the last day of a shorter month)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expires_on(decision_date: date, stars: int | None, registry: RegistrySpec) -> date | None:
    """The day a certificate of ``stars`` decided on ``decision_date`` stops being valid;
    None when the product holds no certificate."""
    if stars is None or stars < registry.min_stars:
        return None
    return add_months(decision_date, registry.validity_months)


def notice_on(expiry: date, registry: RegistrySpec) -> date:
    """The day the re-evaluation of a certificate expiring on ``expiry`` is due to open."""
    return expiry - timedelta(days=registry.notice_days)


def status_on(day: date, decision_date: date, expiry: date | None,
              registry: RegistrySpec) -> ProductStatus:
    """The status on ``day`` of a product decided on ``decision_date`` expiring ``expiry``."""
    if expiry is None:
        return ProductStatus.UNCERTIFIED
    if day < decision_date:
        return ProductStatus.PENDING
    if day >= expiry:
        return ProductStatus.EXPIRED
    if day >= notice_on(expiry, registry):
        return ProductStatus.EXPIRING
    return ProductStatus.VALID


def product_key(product: str, producer: str) -> str:
    """The registry's identity of a product: name and producer without case or extra spaces
    (the same product rated again gets a new certificate under the same key)."""
    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    return f"{norm(product)}|{norm(producer)}"


def text_of(item: dict[str, Any], name: str) -> str | None:
    """The stripped text of ``item[name]``, or None when it is missing or blank."""
    value = item.get(name)
    return value.strip() or None if isinstance(value, str) else None
