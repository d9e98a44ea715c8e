"""The 办理时间 cell: a service's own schedule rows as lines of text, and back.

The lines are worded as residents read hours (``catalog.opening.describe_row``), so the
export writes what the site shows and the upload reads the same wording:

    每周一至周五 09:00–11:30
    每月第一个周六 09:00–11:30
    隔周三（2026-01-07起） 09:00–11:30
    每周六 09:30–11:00（2026-09-12至2027-01-09）
    法定节假日休息，调休上班日正常开放
    2027-02-05至2027-02-07 闭馆（春节除夕至正月初二休息）
    2027-02-10 09:00–12:00（春节期间特别开放）

A holiday line (法定节假日休息, 调休上班日按工作日开放) holds for every regular line of the
cell; a regular line may instead carry its own in brackets, which the export writes when
the rows differ. A dated line is an exception: closed, or open only in its hours, on
those dates; the bracket after it is the reason residents see.
"""

import re
from datetime import date, time
from types import SimpleNamespace

from catalog.opening import (
    CHINESE_NUMERALS,
    CLOSED,
    DAY_CODES,
    REGULAR,
    SPECIAL_HOURS,
    UNTIL_MIDNIGHT,
    describe_holidays,
    describe_row,
    is_exception,
)

FLAGS = ("closed_on_holidays", "open_on_makeup_workdays")
# What editors write for each holiday rule (the first is how the site words it too).
HOLIDAY_PHRASES = {
    "法定节假日休息": "closed_on_holidays",
    "节假日休息": "closed_on_holidays",
    "调休上班日正常开放": "open_on_makeup_workdays",
    "调休上班日按工作日开放": "open_on_makeup_workdays",
    "调休上班日正常办公": "open_on_makeup_workdays",
    "调休工作日正常办公": "open_on_makeup_workdays",
    "调休工作日正常开放": "open_on_makeup_workdays",
}
PHRASE_SPLIT = re.compile(r"[，,、；;。\s]+")
WEEKDAY_CHARS = "一二三四五六日"
DATE = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
TIME = r"\d{1,2}[:：]\d{2}"
HOURS = rf"全天24小时|{TIME}\s*[-–—~至到]\s*{TIME}"
RANGE = r"\s*[至到~–—]\s*"
REGULAR_LINE = re.compile(
    rf"^(?P<days>[^\s（(]+?)(?:[（(](?P<dtstart>{DATE})起[）)])?"
    rf"(?:\s*(?P<hours>{HOURS}))?(?P<brackets>(?:\s*[（(][^（()）]*[）)])*)$"
)
EXCEPTION_LINE = re.compile(
    rf"^(?P<first>{DATE})(?:{RANGE}(?P<last>{DATE}))?\s*"
    rf"(?:(?P<closed>闭馆|休息|不开放)|(?P<hours>{HOURS}))\s*(?:[（(](?P<reason>.*)[）)])?$"
)
ORDINAL = f"[{CHINESE_NUMERALS[1:]}]"  # 一 to 五
# 第一个周六, 最后一个周五, 倒数第二个周五, 周三 (a monthly rule's days)
MONTHLY_WEEKDAY = re.compile(
    rf"(第({ORDINAL})个|最后一个|倒数第({ORDINAL})个)?周([{WEEKDAY_CHARS}天])"
)
# 周一, 周一至周五 (a weekly rule's days)
WEEKDAY_SPAN = re.compile(rf"周([{WEEKDAY_CHARS}天])(?:[至到~\-–—]周?([{WEEKDAY_CHARS}天]))?")
BRACKET = re.compile(r"[（(]([^（()）]*)[）)]")
FORMAT_HINT = (
    "应写成“每周一至周五 09:00–17:00”“每月第一个周六 09:00–11:30”、"
    "“法定节假日休息”，或“2027-02-05至2027-02-07 闭馆（原因）”“2027-02-10 09:00–12:00（原因）”"
)
DESCRIPTION_MAX = 200


class HoursError(ValueError):
    """A line that cannot be read; the message is Chinese and names what is wrong."""


# -- out ---------------------------------------------------------------------------------


def hours_text(rows) -> str:
    """The cell for ``rows`` (a service's schedules, in their order)."""
    rows = list(rows)
    regular = [row for row in rows if not is_exception(row)]
    rules = {describe_holidays(row) for row in regular}
    shared = rules.pop() if len(rules) == 1 else None
    lines = []
    for row in rows:
        text = describe_row(row)
        if not is_exception(row) and shared is None and describe_holidays(row):
            text += f"（{describe_holidays(row)}）"
        lines.append(text)
        if shared and row is regular[-1]:
            lines.append(shared)
    return "\n".join(lines)


def line_key(row) -> str:
    """What a row is matched by when a sheet is uploaded: its line, without holiday rules
    (a changed rule updates the row in place)."""
    return describe_row(row if hasattr(row, "pk") else SimpleNamespace(**row))


# -- in ----------------------------------------------------------------------------------


def parse_hours(lines: list[str]) -> list[dict]:
    """Schedule rows (field values) for the lines of a cell; ``HoursError`` listing every
    line that cannot be read."""
    rows, flagged, problems = [], {}, []
    shared = dict.fromkeys(FLAGS, False)
    for number, line in enumerate(lines, start=1):
        try:
            rules = holiday_rules(line)
            if rules is not None:
                shared.update({flag: shared[flag] or on for flag, on in rules.items()})
                continue
            if re.match(DATE, line):
                rows.append(_exception(line))
            else:
                row, own = _regular(line)
                rows.append(row)
                flagged[len(rows) - 1] = own
        except HoursError as error:
            problems.append(f"第{number}行“{line}”：{str(error).rstrip('。')}")
    if any(shared.values()) and not flagged and not problems:
        problems.append(
            "法定节假日休息、调休上班日按工作日开放只适用于常规办理时间，请同时填写每周或每月的时间"
        )
    if problems:
        raise HoursError("；".join(problems) + "。")
    for index, own in flagged.items():
        rows[index].update({flag: shared[flag] or own[flag] for flag in FLAGS})
    return rows


def holiday_rules(line: str) -> dict[str, bool] | None:
    """The rules a line of holiday phrases states; None when it is not such a line."""
    phrases = [part for part in PHRASE_SPLIT.split(line) if part]
    if not phrases or any(phrase not in HOLIDAY_PHRASES for phrase in phrases):
        return None
    rules = dict.fromkeys(FLAGS, False)
    for phrase in phrases:
        rules[HOLIDAY_PHRASES[phrase]] = True
    return rules


def _regular(line: str) -> tuple[dict, dict]:
    match = REGULAR_LINE.match(line)
    if not match:
        raise HoursError(f"无法识别：{FORMAT_HINT}。")
    row = {
        "kind": REGULAR,
        **_days(match["days"]),
        "dtstart": _date(match["dtstart"]) if match["dtstart"] else None,
        "valid_from": None,
        "valid_to": None,
        "description": "",
        "opens_at": None,
        "closes_at": None,
    }
    if match["hours"]:
        row["opens_at"], row["closes_at"] = _hours(match["hours"])
    own = dict.fromkeys(FLAGS, False)
    for text in BRACKET.findall(match["brackets"] or ""):
        rules = holiday_rules(text)
        if rules is not None:
            own = {flag: own[flag] or on for flag, on in rules.items()}
            continue
        season = re.fullmatch(rf"\s*({DATE})?{RANGE}({DATE})?\s*", text)
        if not season or not (season[1] or season[2]):
            raise HoursError(
                f"括号里的“{text}”无法识别：可写起止日期（如“2026-05-11至2026-06-19”）"
                "或“法定节假日休息”。"
            )
        row["valid_from"] = _date(season[1]) if season[1] else None
        row["valid_to"] = _date(season[2]) if season[2] else None
    _check_dates(row)
    return row, own


def _exception(line: str) -> dict:
    match = EXCEPTION_LINE.match(line)
    if not match:
        raise HoursError(
            "无法识别：特定日期应写成“2027-02-05至2027-02-07 闭馆（原因）”"
            "或“2027-02-10 09:00–12:00（原因）”。"
        )
    first = _date(match["first"])
    last = _date(match["last"]) if match["last"] else first
    reason = (match["reason"] or "").strip()
    if len(reason) > DESCRIPTION_MAX:
        raise HoursError(f"括号里的原因过长：最多{DESCRIPTION_MAX}个字符。")
    row = {
        "kind": CLOSED if match["closed"] else SPECIAL_HOURS,
        "freq": "WEEKLY",
        "byday": "",
        "bymonthday": "",
        "interval": None,
        "dtstart": None,
        "valid_from": first,
        "valid_to": last,
        "opens_at": None,
        "closes_at": None,
        "description": reason,
    }
    if match["hours"]:
        row["opens_at"], row["closes_at"] = _hours(match["hours"])
    _check_dates(row)
    return row


def _days(text: str) -> dict:
    """每周一至周五, 周六、周日, 隔周三, 每月第一个周六, 每月10日, 每天 → freq, byday…"""
    rule = {"freq": "WEEKLY", "byday": "", "bymonthday": "", "interval": None}
    if text in ("每天", "每日"):
        return {**rule, "byday": ",".join(DAY_CODES)}
    monthly = re.fullmatch(r"每(?:(\d+)个)?月(.+)", text)
    if monthly:
        rule["freq"] = "MONTHLY"
        rule["interval"] = _interval(monthly[1])
        byday, bymonthday = [], []
        for part in re.split(r"[、,，]", monthly[2]):
            if day := re.fullmatch(r"(\d{1,2})[日号]", part):
                if not 1 <= int(day[1]) <= 31:
                    raise HoursError(f"“{part}”不是有效的日子。")
                bymonthday.append(day[1])
            elif part == "最后一天":
                bymonthday.append("-1")
            elif day := MONTHLY_WEEKDAY.fullmatch(part):
                code = DAY_CODES[_weekday(day[4])]
                if day[2]:
                    code = f"{CHINESE_NUMERALS.index(day[2])}{code}"
                elif day[3]:
                    code = f"-{CHINESE_NUMERALS.index(day[3])}{code}"
                elif day[1]:
                    code = f"-1{code}"
                byday.append(code)
            else:
                raise HoursError(
                    f"“{part}”无法识别：每月的日子应写成“第一个周六”“最后一个周五”或“10日”。"
                )
        return {**rule, "byday": ",".join(byday), "bymonthday": ",".join(bymonthday)}
    weekly = re.fullmatch(r"(每周|隔周|每(\d+)周|每|周)(.+)", text)
    if not weekly:
        raise HoursError(f"无法识别：{FORMAT_HINT}。")
    rule["interval"] = 2 if weekly[1] == "隔周" else _interval(weekly[2])
    days = set()
    for part in re.split(r"[、,，]", weekly[3]):
        # 每周一、三、五: the first day lost its 周 to the prefix, the others never had it.
        span = WEEKDAY_SPAN.fullmatch(part if part.startswith("周") else "周" + part)
        if not span:
            raise HoursError(f"“{part}”无法识别：星期应写成“周一至周五”或“周六、周日”。")
        first = _weekday(span[1])
        last = _weekday(span[2]) if span[2] else first
        if last < first:
            raise HoursError(f"“{part}”的起止星期前后颠倒。")
        days.update(range(first, last + 1))
    return {**rule, "byday": ",".join(DAY_CODES[day] for day in sorted(days))}


def _weekday(char: str) -> int:
    return 6 if char in "日天" else WEEKDAY_CHARS.index(char)


def _interval(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    if not 1 <= value <= 52:
        raise HoursError(f"间隔“{text}”不合理。")
    return value if value > 1 else None


def _hours(text: str) -> tuple[time, time]:
    if text == "全天24小时":
        return time.min, UNTIL_MIDNIGHT
    opens, closes = (_time(part) for part in re.findall(TIME, text))
    if opens >= closes:
        raise HoursError("结束时间必须晚于开始时间。")
    return opens, closes


def _time(text: str) -> time:
    hour, minute = (int(part) for part in re.split(r"[:：]", text))
    if (hour, minute) == (24, 0):
        return UNTIL_MIDNIGHT
    if hour > 23 or minute > 59:
        raise HoursError(f"“{text}”不是有效时间。")
    return time(hour, minute)


def _date(text: str) -> date:
    try:
        year, month, day = (int(part) for part in re.split(r"[-/.]", text))
        return date(year, month, day)
    except ValueError:
        raise HoursError(f"“{text}”不是有效日期，应为YYYY-MM-DD。") from None


def _check_dates(row: dict) -> None:
    if row["valid_from"] and row["valid_to"] and row["valid_from"] > row["valid_to"]:
        raise HoursError("结束日期不能早于开始日期。")
