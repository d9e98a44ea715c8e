"""Demo honor boards (光荣榜) and points ledger (积分), dated relative to the day
``load_demo`` runs.

Every street and community center and each street gets a board "光荣榜" with this year's
and this quarter's honours (people who consented, with a drawn portrait; one person who did
not, shown as 张*明 without a photo; a family, a volunteer team, an organisation) and an
archive of the two years before. Each center also keeps a ledger of a dozen residents and
its volunteer team over this month and the two before (editors' entries, 在职党员报到 and
attendance at activities), with one entry recorded twice and reversed (冲正), and the two
leaders of this month's ranking on equal points (a tie sharing rank 1), one of them named
in full with consent.

Entries are found again before they are added (board entries by name, award and period;
ledger entries by participant, reason and month), so loading twice changes nothing, and
loading in a later month adds that month.
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.db import transaction
from django.utils import timezone

from honors import ledger
from honors.models import (
    Award,
    HonorBoardPage,
    HonorEntry,
    Participant,
    ParticipantKind,
    PointsEntry,
    PointsSource,
    RecipientKind,
)
from jiamenkou.privacy import mask_name

BOARD_SLUG = "guangrongbang"
BOARD_TITLE = "光荣榜"
RANKING_SIZE = 10
MONTHS = 3  # this month and the two before
REVERSAL_REASON = "重复录入冲正"
# The center the public page sweep samples (the one with most services): its tie is named.
TIE_CENTER = "HHD-XY"

# Fictional names. Board names and ledger names never overlap, so a name masked on a board
# is not shown in full by the ranking of the same center.
BOARD_NAMES = [
    "张晓明", "李淑芬", "王建军", "刘桂兰", "陈德胜", "杨秀珍", "赵志远", "黄玉英",
    "周长林", "吴美华", "徐国栋", "孙凤霞", "马文博", "朱秀云", "胡振华", "郭玉兰",
    "何建新", "高淑华", "林海涛", "罗素梅",
]  # fmt: skip
LEDGER_NAMES = [
    "梁志强", "宋丽娟", "郑海波", "谢春梅", "韩立新", "唐晓燕", "冯建业", "于秀芝",
    "董卫东", "萧玉珍", "程志华", "曹丽萍", "袁国强", "邓慧敏", "许长春", "傅秀英",
    "沈建平", "曾美玲", "彭志刚", "吕桂香", "苏文杰", "卢红梅", "蒋永生", "蔡淑珍",
]  # fmt: skip
FAMILY_SURNAMES = ["李", "王", "陈", "刘", "赵", "孙", "周", "吴"]
ORGANISATIONS = [
    "春华物业服务中心", "社区卫生服务站", "惠民超市", "红星幼儿园",
    "邮政便民服务点", "津海银行社区支行", "平安药房", "共享书屋",
]  # fmt: skip

CITATIONS = {
    "好邻居": "多年义务为楼里的独居老人代买菜、送药，邻里有事总是第一个到场帮忙。",
    "五星志愿者": "每周到党群服务中心值守志愿服务岗，全年志愿服务时长超过二百小时。",
    "孝老爱亲": "悉心照料卧床多年的母亲，还常年帮助楼里行动不便的老人。",
    "诚实守信": "在小区拾到装有现金和证件的钱包，多方打听后完璧归还失主。",
    "助人为乐": "组织居民开展助老助残、环境整治和文明劝导活动，服务居民上千人次。",
    "敬业奉献": "主动为社区居民提供便民服务，参与社区应急保障和公益活动。",
    "最美家庭": "一家三代和睦相处，热心社区公益，家庭成员都是社区志愿者。",
}

# A center's ledger this month: (person index, points, reason, source, day of month).
# Persons 0 and 1 lead on equal points; person 2's entry was recorded twice and reversed.
CHECK_IN = PointsSource.CHECK_IN
MANUAL = PointsSource.MANUAL
THIS_MONTH = [
    (0, 20, "在职党员到社区报到，参加楼道清理", CHECK_IN, 1),
    (0, 15, "协助老年助餐点送餐", MANUAL, 3),
    (1, 25, "四点半课堂志愿辅导", MANUAL, 2),
    (1, 10, "文明劝导志愿服务", MANUAL, 5),
    (2, 10, "协助社区义诊秩序维护", MANUAL, 4),
    (3, 12, "在职党员到社区报到，参加垃圾分类宣传", CHECK_IN, 2),
    (4, 8, "陪伴独居老人就医", MANUAL, 3),
    (5, 20, "在职党员到社区报到，参加防汛值守", CHECK_IN, 4),
    (6, 5, "小区绿化补植", MANUAL, 1),
    (7, 6, "图书角整理", MANUAL, 6),
]
DUPLICATED = 4  # index in THIS_MONTH of the entry recorded twice (person 2's)
TEAM_THIS_MONTH = (30, "志愿服务队集中开展助老服务", 2)  # points, reason, day (below the tie)
EARLIER_REASONS = [
    ("在职党员到社区报到，参加志愿服务", CHECK_IN),
    ("老年助餐点志愿服务", MANUAL),
    ("四点半课堂志愿辅导", MANUAL),
    ("小区环境整治", MANUAL),
    ("反诈宣传入户", MANUAL),
    ("助老陪诊", MANUAL),
]
# Sessions from before the programme sheet took attendance lists (no sign-up to link).
ATTENDED = "参加活动：健康义诊志愿服务"
PEOPLE_PER_CENTER = 12


# -- portraits --------------------------------------------------------------------------------


def draw_portrait(seed: str) -> bytes:
    """A head-and-shoulders silhouette on a coloured card (no face, no text): distinct per
    seed, deterministic, drawn with Pillow."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    digest = hashlib.sha256(seed.encode()).digest()
    background = (150 + digest[0] % 90, 160 + digest[1] % 80, 170 + digest[2] % 70)
    figure = (40 + digest[3] % 80, 50 + digest[4] % 70, 70 + digest[5] % 80)
    image = PILImage.new("RGB", (300, 400), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((95, 70, 205, 190), fill=figure)
    draw.ellipse((40, 210, 260, 470), fill=figure)
    draw.rectangle((0, 370, 300, 400), fill=(178, 34, 34))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def portrait(name: str, center_code: str):
    """The demo photo of ``name`` at a center, drawn the first time only."""
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    image_model = get_image_model()
    title = f"光荣榜照片：{name}（{center_code}，演示）"
    existing = image_model.objects.filter(title=title).first()
    if existing is not None:
        return existing
    seed = f"{center_code}-{name}"
    file_name = f"demo-honor-{hashlib.sha256(seed.encode()).hexdigest()[:12]}.png"
    content = ImageFile(BytesIO(draw_portrait(seed)), name=file_name)
    return image_model.objects.create(title=title, file=content)


# -- boards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoEntry:
    kind: str
    name: str
    award: str
    period: tuple[date, date]
    consent: bool
    photo: bool = False
    citation: str = ""


def quarter_of(day: date) -> tuple[date, date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    return date(day.year, first_month, 1), month_end(date(day.year, first_month + 2, 1))


def year_of(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def center_entries(center, number: int, today: date) -> list[DemoEntry]:
    """A center's honours: this year's and this quarter's, and two years of archive."""
    names = [BOARD_NAMES[(number * 3 + k) % len(BOARD_NAMES)] for k in range(7)]
    place = center.title.removesuffix("党群服务中心").removesuffix("社区").removesuffix("街道")
    family = FAMILY_SURNAMES[number % len(FAMILY_SURNAMES)]
    older_family = FAMILY_SURNAMES[(number + 3) % len(FAMILY_SURNAMES)]
    organisation = f"{place}{ORGANISATIONS[number % len(ORGANISATIONS)]}"
    this_year, last_year, before = (
        year_of(today.year),
        year_of(today.year - 1),
        year_of(today.year - 2),
    )
    person, fam = RecipientKind.PERSON, RecipientKind.FAMILY
    team, org = RecipientKind.TEAM, RecipientKind.ORGANISATION
    return [
        DemoEntry(person, names[0], "好邻居", this_year, True, photo=True),
        DemoEntry(person, names[1], "五星志愿者", this_year, True, photo=True),
        # No consent recorded: shown as 张*明 without a photo.
        DemoEntry(person, names[2], "孝老爱亲", this_year, False),
        DemoEntry(person, names[3], "诚实守信", quarter_of(today), True, photo=True),
        DemoEntry(fam, f"{family}家", "最美家庭", this_year, True, photo=True),
        DemoEntry(team, f"{place}志愿服务队", "助人为乐", this_year, True),
        DemoEntry(org, organisation, "敬业奉献", this_year, True),
        DemoEntry(person, names[4], "好邻居", last_year, True, photo=True),
        DemoEntry(fam, f"{older_family}家", "最美家庭", last_year, True),
        DemoEntry(person, names[5], "助人为乐", last_year, False),
        DemoEntry(person, names[6], "五星志愿者", before, True, photo=True),
    ]


def street_entries(street, today: date) -> list[DemoEntry]:
    """A street's own honours: its centers' best teams and units, this year and last."""
    place = street.title.removesuffix("街道")
    team, org = RecipientKind.TEAM, RecipientKind.ORGANISATION
    return [
        DemoEntry(team, f"{place}街道红色先锋志愿服务队", "五星志愿者", year_of(today.year), True),
        DemoEntry(org, f"{place}派出所社区警务室", "敬业奉献", year_of(today.year), True),
        DemoEntry(team, f"{place}街道银发互助队", "助人为乐", year_of(today.year - 1), True),
    ]


def awards() -> dict[str, Award]:
    """The seeded awards by name (made again if a flushed database lost them)."""
    for order, name in enumerate(CITATIONS):
        Award.objects.get_or_create(name=name, defaults={"sort_order": order})
    return {award.name: award for award in Award.objects.all()}


def honor_entry(entry: DemoEntry, code: str, award_by_name) -> HonorEntry:
    start, end = entry.period
    return HonorEntry(
        recipient_kind=entry.kind,
        name=entry.name,
        award=award_by_name[entry.award],
        period_start=start,
        period_end=end,
        citation=entry.citation or CITATIONS[entry.award],
        photo=portrait(entry.name, code) if entry.photo and entry.consent else None,
        consent_given=entry.consent,
        consent_note=f"{start:%Y年%m月%d日}本人签字同意" if entry.consent else "",
    )


def load_board(parent, entries: list[DemoEntry], code: str, award_by_name) -> tuple[int, bool]:
    """The board under ``parent`` with ``entries`` (those missing are added and the board
    published again). Returns (entries added, board created)."""
    existing = parent.get_children().filter(slug=BOARD_SLUG).first()
    board = existing.specific if existing is not None else None
    if board is None:
        board = HonorBoardPage(
            title=BOARD_TITLE,
            slug=BOARD_SLUG,
            intro=f"{parent.title}善行义举榜：表彰身边的好人好事。",
            ranking_size=RANKING_SIZE,
        )
        kept = []
    else:
        kept = list(board.entries.all())
    have = {(e.name, e.award_id, e.period_start) for e in kept}
    added = [
        honor_entry(entry, code, award_by_name)
        for entry in entries
        if (entry.name, award_by_name[entry.award].pk, entry.period[0]) not in have
    ]
    if board.pk and not added:
        return 0, False
    for order, entry in enumerate(kept + added):
        entry.sort_order = order
    board.entries = kept + added
    if board.pk is None:
        parent.add_child(instance=board)
    board.save_revision().publish()
    return len(added), existing is None


# -- ledger -----------------------------------------------------------------------------------


def record(participant, center, points, reason, day, source, user) -> PointsEntry:
    return ledger.record(participant, center, points, reason, day, source, user=user)


def reverse(entry, reason, user) -> PointsEntry:
    return ledger.reverse(entry, reason, user=user)


def month_start(today: date, months_ago: int) -> date:
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


def month_end(start: date) -> date:
    following = month_start(start, -1)
    return date.fromordinal(following.toordinal() - 1)


def participants(center, number: int) -> tuple[list[Participant], Participant]:
    """A dozen residents of the center (fictional 139 numbers; every third with a volunteer
    number; the even ones agree to their full name on the ranking) and its volunteer team."""
    people = []
    for k in range(PEOPLE_PER_CENTER):
        mobile = f"1395{number:03d}{k + 1:04d}"
        person = Participant.objects.filter(center=center, mobile=mobile).first()
        if person is None:
            person = Participant.objects.create(
                center=center,
                kind=ParticipantKind.PERSON,
                name=LEDGER_NAMES[(number * 5 + k) % len(LEDGER_NAMES)],
                mobile=mobile,
                volunteer_number=f"V-{number:02d}{k + 1:02d}" if k % 3 == 0 else None,
                name_consent=k % 2 == 0,
            )
        people.append(person)
    place = center.title.removesuffix("党群服务中心")
    team, _ = Participant.objects.get_or_create(
        center=center,
        kind=ParticipantKind.TEAM,
        name=f"{place}志愿服务队",
        defaults={"volunteer_number": f"V-{number:02d}00", "name_consent": True},
    )
    return people, team


@dataclass
class Context:
    today: date
    user: object
    entries: int = 0
    reversals: int = 0
    tie: str = ""


def in_month(participant, reason, points, start: date):
    return PointsEntry.objects.filter(
        participant=participant,
        reason=reason,
        points=points,
        date__range=(start, month_end(start)),
    )


def add(context, participant, center, points, reason, source, start: date, day: int):
    """The entry in the month starting ``start``, written once (dated no later than today)."""
    if in_month(participant, reason, points, start).exists():
        return None
    on = min(date(start.year, start.month, min(day, month_end(start).day)), context.today)
    context.entries += 1
    return record(participant, center, points, reason, on, source, context.user)


def load_ledger(center, number: int, context: Context) -> None:
    people, team = participants(center, number)
    this_month = month_start(context.today, 0)
    for ago in range(MONTHS - 1, 0, -1):
        start = month_start(context.today, ago)
        rng = random.Random(f"{center.code}-{start:%Y-%m}")
        for person in [*people, team]:
            for reason, source in rng.sample(EARLIER_REASONS, rng.randint(1, 3)):
                points = rng.choice([5, 8, 10, 12, 15, 20])
                add(context, person, center, points, reason, source, start, rng.randint(1, 28))
        # Two residents each month came to a session that earned points on attendance.
        for person in people[ago * 2 : ago * 2 + 2]:
            add(context, person, center, 5, ATTENDED, PointsSource.ATTENDANCE, start, 12)
    for index, (who, points, reason, source, day) in enumerate(THIS_MONTH):
        add(context, people[who], center, points, reason, source, this_month, day)
        if index == DUPLICATED:
            duplicate(people[who], center, points, reason, source, this_month, day, context)
    points, reason, day = TEAM_THIS_MONTH
    add(context, team, center, points, reason, MANUAL, this_month, day)
    if center.code == TIE_CENTER:
        leaders = [people[0], people[1]]
        shown = "、".join(p.name if p.name_consent else mask_name(p.name) for p in leaders)
        points = sum(entry[1] for entry in THIS_MONTH if entry[0] == 0)
        context.tie = f"积分并列示例：{center.title}本月积分榜{shown}同为{points}分，并列第1名。"


def duplicate(person, center, points, reason, source, start, day, context) -> None:
    """The entry typed in twice, the second reversed (冲正) today: once per month."""
    reversed_here = PointsEntry.objects.filter(
        participant=person, source=PointsSource.REVERSAL, date__gte=start
    )
    if reversed_here.exists():
        return
    on = min(date(start.year, start.month, min(day, month_end(start).day)), context.today)
    twice = record(person, center, points, reason, on, source, context.user)
    reverse(twice, REVERSAL_REASON, context.user)
    context.entries += 1
    context.reversals += 1


# -- loading ----------------------------------------------------------------------------------


@transaction.atomic
def load_honors(today: date | None = None) -> list[str]:
    from disclosures.demo import demo_centers, demo_user
    from district.models import StreetPage

    started = time.monotonic()
    context = Context(today=today or timezone.localdate(), user=demo_user())
    award_by_name = awards()
    centers = demo_centers()
    added = boards = 0
    masked = ""
    for number, center in enumerate(centers):
        entries = center_entries(center, number, context.today)
        new, created = load_board(center, entries, center.code, award_by_name)
        added, boards = added + new, boards + created
        load_ledger(center, number + 1, context)
        if center.code == TIE_CENTER or not masked:
            hidden = next(entry for entry in entries if not entry.consent)
            masked = (
                f"未同意公开示例：{center.title}光荣榜“{hidden.award}”"
                f"显示为{mask_name(hidden.name)}（无照片）。"
            )
    streets = list(StreetPage.objects.order_by("path"))
    for street in streets:
        new, created = load_board(street, street_entries(street, context.today), "", award_by_name)
        added, boards = added + new, boards + created
    seconds = time.monotonic() - started
    lines = [
        f"光荣榜：{len(centers)}个服务中心和{len(streets)}个街道的光荣榜，新建{boards}个，"
        f"新增上榜{added}条（共{HonorEntry.objects.count()}条）。",
        f"积分：{Participant.objects.count()}个积分对象，新增积分记录{context.entries}条"
        f"（共{PointsEntry.objects.count()}条，其中冲正{context.reversals}条新增）；"
        f"用时{seconds:.1f}秒。",
    ]
    return lines + [line for line in (masked, context.tie) if line]


def load_honors_demo(password: str | None = None) -> list[str]:
    """settings.DEMO_LOADERS: honor boards and the points ledger as of today."""
    return load_honors()
