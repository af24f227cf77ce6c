"""The words of the reports, in Vietnamese (the default) and English.

Message ids are the English text; :func:`tr` returns the Vietnamese one unless ``lang`` is
``en``. (When the shared gettext catalogs, ``agencyflow.i18n``, carry the ``reports`` domain, this
table becomes that catalog; callers keep calling :func:`tr`.)
"""

from __future__ import annotations

VI: dict[str, str] = {
    "SOCIALIST REPUBLIC OF VIETNAM": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Independence - Freedom - Happiness": "Độc lập - Tự do - Hạnh phúc",
    "REPORT": "BÁO CÁO",
    "Results of implementing the assigned tasks": "Kết quả thực hiện nhiệm vụ được giao",
    "No.": "Số",
    "Recipients:": "Nơi nhận:",
    "Total assignments": "Tổng số nhiệm vụ",
    "Completed": "Đã hoàn thành",
    "on time": "đúng hạn",
    "late": "quá hạn",
    "Not completed": "Chưa hoàn thành",
    "within the deadline": "trong hạn",
    "of which due within 3 working days": "trong đó sắp đến hạn (trong 3 ngày làm việc)",
    "overdue": "quá hạn",
    "not yet open": "chưa đến kỳ hoặc chờ nhiệm vụ trước",
    "Cancelled": "Đã hủy",
    "Rate": "Tỷ lệ",
    "Agency": "Cơ quan",
    "Commune": "Xã, thị trấn",
    "Total": "Tổng",
    "Done on time": "Hoàn thành đúng hạn",
    "Done late": "Hoàn thành quá hạn",
    "In progress": "Đang thực hiện trong hạn",
    "Overdue": "Quá hạn chưa hoàn thành",
    "Waiting": "Chưa đến kỳ",
    "I. GENERAL RESULTS": "I. KẾT QUẢ CHUNG",
    "II. RESULTS BY LEAD AGENCY": "II. KẾT QUẢ THEO CƠ QUAN CHỦ TRÌ",
    "III. OVERDUE ASSIGNMENTS": "III. NHIỆM VỤ QUÁ HẠN CHƯA HOÀN THÀNH",
    "IV. EXTENSIONS GRANTED": "IV. NHIỆM VỤ ĐƯỢC GIA HẠN",
    "V. TARGETS": "V. KẾT QUẢ THỰC HIỆN CHỈ TIÊU",
    "APPENDIX: RESULTS BY COMMUNE": "PHỤ LỤC: KẾT QUẢ THEO XÃ, THỊ TRẤN",
    "Assignment": "Nhiệm vụ",
    "Lead": "Cơ quan chủ trì",
    "Due": "Hạn",
    "Working days late": "Số ngày làm việc quá hạn",
    "Original due": "Hạn ban đầu",
    "New due": "Hạn mới",
    "Reason": "Lý do",
    "Target": "Chỉ tiêu",
    "Period": "Giai đoạn",
    "Value": "Kết quả",
    "Minimum": "Mức tối thiểu",
    "Status": "Tình trạng",
    "met": "đạt",
    "not_met": "không đạt",
    "in_progress": "đang thực hiện",
    "None.": "Không có.",
    "and {n} more (see the Excel report)": "và {n} nhiệm vụ khác (xem báo cáo Excel)",
    "Status of the assignments by lead agency": "Tình trạng nhiệm vụ theo cơ quan chủ trì",
    "Targets against their minimum": "Chỉ tiêu so với mức tối thiểu",
    "Other agencies": "Các cơ quan khác",
    "Figures as of {date}.": "Số liệu tính đến ngày {date}.",
    "Summary": "Tổng hợp",
    "Overdue assignments": "Nhiệm vụ quá hạn",
    "Extensions": "Gia hạn",
    "Targets": "Chỉ tiêu",
    "By agency": "Theo cơ quan",
    "By commune": "Theo xã",
    "Figure": "Nội dung",
    "Count": "Số lượng",
    "%": "Tỷ lệ (%)",
    "under plan": "thực hiện",
    "the assignments due in": "các nhiệm vụ có hạn trong",
    "all the assignments of the cycle": "toàn bộ nhiệm vụ của chu kỳ",
    "Scope": "Phạm vi",
    "Plan": "Kế hoạch",
    "Reported agency": "Cơ quan được báo cáo",
}


def tr(lang: str, msgid: str, **values: object) -> str:
    """``msgid`` in ``lang`` (Vietnamese unless ``en``), with ``{name}`` values filled in."""
    text = msgid if lang == "en" else VI.get(msgid, msgid)
    return text.format(**values) if values else text
