"""The API's own user-facing texts in Vietnamese (default) and English.

Problem titles and the few details the API writes itself; the details of refused actions are the
services' messages. (When ``agencyflow.i18n`` is on main these move to its ``api`` catalog.)
"""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "problem.unauthenticated": {"vi": "Chưa xác thực", "en": "Not authenticated"},
    "problem.forbidden": {"vi": "Không có quyền", "en": "Forbidden"},
    "problem.not-found": {"vi": "Không tìm thấy", "en": "Not found"},
    "problem.cycle-exists": {"vi": "Chu kỳ đã được khởi tạo", "en": "Cycle already started"},
    "problem.transition-refused": {"vi": "Không thể thực hiện ở trạng thái hiện tại",
                                   "en": "Not allowed in the current state"},
    "problem.conflict": {"vi": "Dữ liệu đã bị thay đổi", "en": "Changed meanwhile"},
    "problem.invalid-plan": {"vi": "Kế hoạch không hợp lệ", "en": "Invalid plan"},
    "problem.invalid-input": {"vi": "Dữ liệu không hợp lệ", "en": "Invalid input"},
    "problem.invalid-date": {"vi": "Ngày không hợp lệ", "en": "Invalid date"},
    "problem.audit-broken": {"vi": "Nhật ký kiểm toán bị phá vỡ", "en": "Audit trail broken"},
    "problem.misconfigured": {"vi": "Cấu hình máy chủ không hợp lệ",
                              "en": "Server misconfigured"},
    "problem.template-error": {"vi": "Lỗi mẫu thông báo", "en": "Template error"},
    "problem.delivery-failed": {"vi": "Gửi thông báo thất bại", "en": "Delivery failed"},
    "problem.refused": {"vi": "Yêu cầu bị từ chối", "en": "Refused"},
    "problem.bad-request": {"vi": "Yêu cầu không hợp lệ", "en": "Bad request"},
    "problem.no-such-route": {"vi": "Không có địa chỉ này", "en": "No such route"},
    "problem.method-not-allowed": {"vi": "Phương thức không được phép",
                                   "en": "Method not allowed"},
    "problem.not-acceptable": {"vi": "Không thể trả về định dạng yêu cầu",
                               "en": "Not acceptable"},
    "problem.precondition-failed": {"vi": "Phiên bản đã thay đổi",
                                    "en": "Precondition failed"},
    "problem.too-large": {"vi": "Dữ liệu quá lớn", "en": "Too large"},
    "problem.unsupported-media-type": {"vi": "Định dạng dữ liệu không được hỗ trợ",
                                       "en": "Unsupported media type"},
    "problem.invalid-request": {"vi": "Yêu cầu không hợp lệ", "en": "Invalid request"},
    "problem.precondition-required": {"vi": "Cần phiên bản (If-Match)",
                                      "en": "Precondition required"},
    "problem.internal-error": {"vi": "Lỗi máy chủ", "en": "Internal error"},
    "problem.unavailable": {"vi": "Máy chủ đang bận", "en": "Unavailable"},
    "problem.http-error": {"vi": "Lỗi HTTP", "en": "HTTP error"},
    "detail.internal": {"vi": "Đã xảy ra lỗi không mong đợi; lỗi đã được ghi lại.",
                        "en": "An unexpected error happened; it has been logged."},
    "detail.busy": {"vi": "Cơ sở dữ liệu đang bận hoặc không truy cập được: hãy thử lại.",
                    "en": "The database is busy or unreachable: try again."},
    "detail.stale": {"vi": "Nhiệm vụ {id} đang ở phiên bản {version}, yêu cầu gửi kèm "
                           "If-Match {seen}: hãy tải lại và thử lại.",
                     "en": "Assignment {id} is at version {version}, the request carries "
                           "If-Match {seen}: read it again and retry."},
    "detail.if_match": {"vi": "If-Match phải là một ETag như \"3\" (hoặc *).",
                        "en": "If-Match must be an ETag such as \"3\" (or *)."},
}


def text(key: str, lang: str = "vi", **values: object) -> str:
    """The text ``key`` in ``lang`` (Vietnamese when missing), with ``values`` filled in."""
    entry = _TEXTS.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["vi"]
    return template.format(**values) if values else template
