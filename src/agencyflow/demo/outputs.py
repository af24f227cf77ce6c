"""The figures agencies report in the demo: invented, plausible, and the same on every run.

The commune steps carry a small made-up catalogue of products (names, producers and scores are
fictional): communes register them (XA-2), focus on them (XA-3), have them evaluated with scores
(XA-4: the stars follow from the plan's bands, so the targets have something to count) and zone
their raw materials (XA-5). Every other step gets values derived from its declared outputs: a
document number, a count, the day of completion, a link.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from agencyflow.domain.plan_spec import StepSpec
from agencyflow.domain.plan_types import OutputSpec, OutputType


@dataclass(frozen=True)
class Product:
    """A (fictional) product of a commune and the result of its evaluation."""

    product: str
    producer: str
    producer_type: str
    group: str
    score: int
    level: str
    zone_ha: float


#: Commune code → its products. Three reach 3–4 stars at the provincial level (target T-4).
PRODUCTS: dict[str, tuple[Product, ...]] = {
    "XA-KIM-ANH": (Product("Ổi lê Kim Anh", "HTX Nông nghiệp Kim Anh", "cooperative", "food",
                           72, "province", 18.5),),
    "XA-DONG-CAM": (Product("Mật ong hoa nhãn Đồng Cẩm", "Tổ hợp tác nuôi ong Đồng Cẩm",
                            "cooperative_group", "food", 64, "province", 6.0),),
    "TT-PHU-THAI": (Product("Bánh gai Phú Thái", "Công ty TNHH Bánh gai Phú Thái", "enterprise",
                            "food", 58, "province", 2.5),),
    "XA-KIM-TAN": (Product("Gạo nếp cái hoa vàng Kim Tân", "HTX Dịch vụ nông nghiệp Kim Tân",
                           "cooperative", "food", 47, "district", 35.0),),
    "XA-TUAN-VIET": (Product("Chổi chít Tuấn Việt", "Hộ kinh doanh Nguyễn Văn Việt", "household",
                             "textile_craft", 41, "district", 4.0),),
    "XA-LAI-VU": (Product("Rau an toàn Lai Vu", "HTX Rau an toàn Lai Vu", "cooperative", "food",
                          33, "none", 12.0),),
}

#: Document-number prefixes by output name prefix (Vietnamese administrative abbreviations).
_DOC = {"plan": "KH", "decision": "QĐ", "report": "BC", "guidance": "HD", "regulation": "QC",
        "revision": "KH", "steering": "QĐ", "commune": "KH"}


def seed(label: str) -> int:
    """A stable small number for ``label`` (CRC-32: the same in every process, unlike hash)."""
    return zlib.crc32(label.encode("utf-8"))


def _registered(p: Product) -> dict[str, Any]:
    return {"product": p.product, "producer": p.producer, "producer_type": p.producer_type,
            "group": p.group}


def _evaluated(p: Product) -> dict[str, Any]:
    return {"product": p.product, "producer": p.producer, "producer_type": p.producer_type,
            "score": p.score, "level": p.level}


_MEASURES = "Mở rộng quy mô, cải tiến bao bì, truy xuất nguồn gốc"

#: Commune steps: output name → the list built from the commune's products.
_COMMUNE_LISTS: dict[str, Callable[[Product], dict[str, Any]]] = {
    "registered": _registered,
    "products": _evaluated,
    "focus_products": lambda p: {"product": p.product, "measures": _MEASURES},
    "zones": lambda p: {"name": f"Vùng nguyên liệu {p.product}", "product": p.product,
                        "area_ha": p.zone_ha},
}


def outputs_for(step: StepSpec, *, lead: str, label: str, day: date) -> dict[str, Any]:
    """The outputs the lead ``lead`` records when it finishes ``step`` on ``day``."""
    out: dict[str, Any] = {}
    for spec in step.outputs:
        if spec.type is OutputType.LIST and spec.name in _COMMUNE_LISTS:
            out[spec.name] = [_COMMUNE_LISTS[spec.name](p) for p in PRODUCTS.get(lead, ())]
        elif spec.required:
            out[spec.name] = _value(spec, lead=lead, label=label, day=day)
    return out


def _value(spec: OutputSpec, *, lead: str, label: str, day: date) -> Any:
    """A plausible value of ``spec`` (required outputs of the non-commune steps)."""
    n = seed(f"{label}:{spec.name}")
    if spec.type is OutputType.LIST:
        return [{f.name: _value(f, lead=lead, label=label, day=day) for f in spec.fields}]
    if spec.type in (OutputType.INTEGER, OutputType.NUMBER):
        return int(spec.min or 0) + 3 + n % 12
    if spec.type is OutputType.SCORE:
        return 50 + n % 40
    if spec.type is OutputType.DATE:
        return day.isoformat()
    if spec.type is OutputType.BOOLEAN:
        return True
    if spec.type is OutputType.LINK:
        return f"https://ocop.kimthanh.example.vn/{day.year}/{label.lower().replace('/', '-')}"
    return _text(spec, lead=lead, n=n, day=day)


def _text(spec: OutputSpec, *, lead: str, n: int, day: date) -> str:
    if spec.choices:
        return spec.choices[0]
    prefix = _DOC.get(spec.name.split("_")[0])
    if prefix and spec.name.endswith(("_number", "_decision", "_plan")):
        return f"{10 + n % 90}/{prefix}-{lead}"
    if spec.name in ("location", "name"):
        return f"Khu trung tâm thị trấn Phú Thái, điểm {1 + n % 3}"
    if spec.name in ("commune", "producer", "product"):
        return {"commune": "TT-PHU-THAI", "producer": "HTX Nông nghiệp Kim Anh",
                "product": "Ổi lê Kim Anh"}[spec.name]
    return f"Đã thực hiện theo kế hoạch năm {day.year}"
