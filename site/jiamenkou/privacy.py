"""Residents' phone and ID numbers are masked wherever they are shown."""

import re
from datetime import date
from typing import NamedTuple

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
#: Letters and digits glued to a number: the rest of the token it sits in.
TOKEN_CHARS = re.compile(r"[0-9A-Za-z]*")
#: A token this long made of hex digits alone is a hash or an id, not a word.
HEX_TOKEN_LENGTH = 16
ID_NUMBER = re.compile(r"(?<![\dXx])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])")


def mask_personal_numbers(text: str) -> str:
    """138 0013 8000 → 138****8000; an 18-digit ID number keeps its first 6 and last 4."""
    if not text:
        return text
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    return MOBILE.sub(lambda m: masked_mobile(m) if is_mobile_match(m) else m.group(), text)


def masked_mobile(match: re.Match) -> str:
    """A MOBILE match as it may be shown: 138****8000."""
    return match.group(1) + "****" + match.group(3)


def is_mobile_match(match: re.Match) -> bool:
    """Whether a MOBILE match is a phone number rather than eleven digits inside an id,
    a hash or a file name (a UUID's or an upload's hex, ``a1b2…13912345678…``): no
    digit is glued before it and what is glued to it is not one long hex run. Letters
    alone (tel13800138000) or an extension after it (13800138000x12) leave it a number."""
    text = match.string
    start = match.start()
    while start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        start -= 1
    before = text[start : match.start()]
    after = TOKEN_CHARS.match(text, match.end()).group()
    if any(char.isdigit() for char in before):
        return False
    glued = before + after
    token = before + match.group() + after
    hex_run = all(char in "0123456789abcdefABCDEF" for char in glued)
    return not (glued and hex_run and len(token) >= HEX_TOKEN_LENGTH)


def normalize_mobile(text: str) -> str | None:
    """A mainland mobile number as typed (138 0013 8000, +86-138…) → 13800138000, or None
    when it is not one."""
    digits = re.sub(r"[\s\-()（）]", "", text or "")
    digits = digits.removeprefix("+86").removeprefix("0086")
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None


# -- finding numbers (the disclosures' privacy guard) --------------------------------------

# GB 11643-1999: the 18th character checks the first 17 digits.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_CANDIDATE = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


class Found(NamedTuple):
    """A personal number found in a text: kind "id" or "mobile", the text as it stands,
    and the same masked (the only form fit to show back to anyone)."""

    kind: str
    text: str
    masked: str


def is_resident_id(number: str) -> bool:
    """An 18-character resident ID number whose check digit is right and whose birth date
    (characters 7–14) is a real day from 1900 on."""
    if not re.fullmatch(r"\d{17}[\dXx]", number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, ID_WEIGHTS, strict=False))
    if ID_CHECK_CHARS[total % 11] != number[17].upper():
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def find_personal_numbers(text: str) -> list[Found]:
    """The unmasked resident ID numbers (check digit valid) and mobile numbers in ``text``,
    in order. Masked ones (110101********1234, 138****5678) have no digits to find."""
    if not text:
        return []
    found = [
        (m.start(), Found("id", m.group(), m.group()[:6] + "*" * 8 + m.group()[-4:]))
        for m in ID_CANDIDATE.finditer(text)
        if is_resident_id(m.group())
    ]
    found += [
        (m.start(), Found("mobile", m.group(), masked_mobile(m)))
        for m in MOBILE.finditer(text)
        if is_mobile_match(m)
    ]
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def mask_name(name: str) -> str:
    """A resident's name as lists may show it: 张明 → 张*, 张晓明 → 张*明, 欧阳晓明 → 欧**明;
    a Latin-letter name keeps its first letter (Zhang Ming → Z**** ****)."""
    name = (name or "").strip()
    if len(name) < 2:
        return name
    if name.isascii():
        return name[0] + "".join(" " if char == " " else "*" for char in name[1:])
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
