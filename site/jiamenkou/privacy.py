"""Residents' phone and ID numbers are masked wherever they are shown."""

import re

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dXx])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])")


def mask_personal_numbers(text: str) -> str:
    """138 0013 8000 → 138****8000; an 18-digit ID number keeps its first 6 and last 4."""
    if not text:
        return text
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def normalize_mobile(text: str) -> str | None:
    """A mainland mobile number as typed (138 0013 8000, +86-138…) → 13800138000, or None
    when it is not one."""
    digits = re.sub(r"[\s\-()（）]", "", text or "")
    digits = digits.removeprefix("+86").removeprefix("0086")
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None
