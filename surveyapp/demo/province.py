"""Tỉnh Mẫu's departments and communes: traffic, quality and service fields.

The numbers are invented but shaped like real one-stop traffic: busy urban wards,
quiet mountain communes, and real differences in quality between agencies.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveyapp.models import AgencyKind


@dataclass(frozen=True)
class Unit:
    """A department or commune of the demo, with its traffic and quality."""

    short: str
    name: str
    kind: AgencyKind
    counters: int
    traffic: float  # relative number of responses
    quality: float  # latent mean satisfaction
    fields: tuple[str, ...]
    questionnaire: str = "sipas-2023"


UNITS = (
    Unit(
        "STP",
        "Sở Tư pháp",
        AgencyKind.DEPARTMENT,
        2,
        1.4,
        1.25,
        ("tu-phap", "chung-thuc", "ho-tich"),
    ),
    Unit("SXD", "Sở Xây dựng", AgencyKind.DEPARTMENT, 1, 0.8, 0.55, ("xay-dung",)),
    Unit(
        "SNNMT",
        "Sở Nông nghiệp và Môi trường",
        AgencyKind.DEPARTMENT,
        2,
        1.2,
        0.35,
        ("dat-dai",),
    ),
    Unit(
        "STC",
        "Sở Tài chính",
        AgencyKind.DEPARTMENT,
        1,
        0.9,
        1.0,
        ("dang-ky-kinh-doanh",),
    ),
    Unit("SYT", "Sở Y tế", AgencyKind.DEPARTMENT, 1, 0.5, 0.9, ("y-te",)),
    Unit(
        "SGDDT",
        "Sở Giáo dục và Đào tạo",
        AgencyKind.DEPARTMENT,
        1,
        0.35,
        1.15,
        ("giao-duc",),
    ),
    Unit(
        "PHB",
        "Phường Hòa Bình",
        AgencyKind.COMMUNE,
        3,
        2.2,
        1.05,
        ("ho-tich", "chung-thuc", "dat-dai", "lao-dong-xa-hoi", "xay-dung"),
    ),
    Unit(
        "PTT",
        "Phường Trung Tâm",
        AgencyKind.COMMUNE,
        3,
        2.0,
        1.45,
        ("ho-tich", "chung-thuc", "dat-dai", "lao-dong-xa-hoi", "xay-dung"),
    ),
    Unit(
        "XAB",
        "Xã An Bình",
        AgencyKind.COMMUNE,
        2,
        1.0,
        0.8,
        ("ho-tich", "chung-thuc", "dat-dai", "lao-dong-xa-hoi"),
    ),
    Unit(
        "XTL",
        "Xã Tân Lập",
        AgencyKind.COMMUNE,
        2,
        0.9,
        1.2,
        ("ho-tich", "chung-thuc", "dat-dai", "lao-dong-xa-hoi"),
    ),
    Unit(
        "XDT",
        "Xã Đồng Tâm",
        AgencyKind.COMMUNE,
        2,
        0.7,
        0.6,
        ("ho-tich", "chung-thuc", "dat-dai"),
    ),
    Unit(
        "XBL",
        "Xã Bản Lầu",
        AgencyKind.COMMUNE,
        1,
        0.3,
        0.95,
        ("ho-tich", "dat-dai", "lao-dong-xa-hoi"),
    ),
    Unit(
        "XSH",
        "Xã Suối Hoa",
        AgencyKind.COMMUNE,
        1,
        0.25,
        0.7,
        ("ho-tich", "dat-dai"),
        "sipas-2017",
    ),
)

COMMENTS_LOW = (
    "Phải chờ quá lâu, cần bố trí thêm người tiếp nhận.",
    "Hướng dẫn chưa rõ, tôi phải đi lại nhiều lần để bổ sung hồ sơ.",
    "Trả kết quả trễ hẹn mà không được báo trước.",
    "Máy lấy số hay bị hỏng, phòng chờ nóng.",
)
COMMENTS_HIGH = (
    "Cán bộ nhiệt tình, hướng dẫn chu đáo. Cảm ơn!",
    "Thủ tục nhanh gọn, trả kết quả đúng hẹn.",
    "Phòng chờ sạch sẽ, có nước uống. Rất hài lòng.",
    "Nên có thêm chỗ để xe cho người dân.",
)
