"""Demo disclosures (公开栏): a board at every street and community center and at each
street, a supervision committee per center, and several months of disclosures of each
type, all dated relative to the day ``load_demo`` runs.

Finance is posted monthly, party and residents' affairs quarterly, services yearly, and
each street center has posted one major matter. Every disclosure due so far is posted,
except one month of finance at one community center (the district's one overdue item),
one finance month was corrected after publication (two published versions), and one new
major matter waits for the committee's review. Disclosures are found again by board and
slug and never published twice, so loading twice changes nothing.

What is being posted today (and the correction) went through the committee's workflow
(disclosures/review.py: two members approve on their links and Wagtail publishes); the
archive is published directly, as if from before the site, which keeps the loader fast.
"""

from __future__ import annotations

import io
import logging
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from disclosures import review
from disclosures.models import (
    CommitteeMember,
    CommitteeRole,
    DisclosureBoardPage,
    DisclosureKind,
    DisclosurePage,
    FinanceRow,
    Period,
    PeriodKind,
    SupervisionCommittee,
)

logger = logging.getLogger(__name__)

BOARD_SLUG = "gongkai"
BOARD_TITLE = "公开栏"
FINANCE_MONTHS = 5  # at least this many months of finance, more to reach tracking_from
QUARTERS = 2
# Posting windows (公示期): starts some days after the period ends, lasts this many days.
FINANCE_POSTING = (3, 30)
QUARTER_POSTING = (5, 90)
YEAR_POSTING = (10, 90)
MATTER_POSTING = (2, 15)
# The district's default rule for finance (migration 0002): by the 10th of the next month.
FINANCE_DUE_DAY = 10
# The one community center that has missed a month (the second community by code).
OVERDUE_COMMUNITY_INDEX = 1
# The corrected finance month and the matter left in review are at this center.
CORRECTED_CENTER = "HHD-CH-01"
CORRECTION_NOTE = "更正：第3行水电费金额由 1,280.00 元更正为 1,208.00 元（录入错误）"
WRONG_UTILITIES = Decimal("1280.00")
RIGHT_UTILITIES = Decimal("1208.00")

# Supervision committees: (chair, member, member) per center, in the order of the centers.
COMMITTEE_NAMES = [
    ("赵德明", "钱秀芳", "孙立新"),
    ("李卫国", "周玉兰", "吴建平"),
    ("郑志刚", "王丽萍", "冯长青"),
    ("陈国华", "褚淑英", "卫东升"),
    ("蒋文斌", "沈美华", "韩宝山"),
    ("杨振华", "朱慧敏", "秦永福"),
    ("尤建军", "许桂珍", "何世杰"),
    ("吕明远", "施雅琴", "张庆丰"),
    ("孔繁林", "曹月娥", "严守正"),
    ("华振东", "金秀梅", "魏春生"),
]

# 低保 review results: the households' heads (shown masked: 王*兰).
LOW_INCOME_HEADS = [
    "王秀兰", "李桂英", "张建国", "刘淑珍", "陈志强", "杨丽华", "赵玉梅", "黄海燕",
    "周晓明", "吴秀英", "徐丽娟", "孙建华", "马晓燕", "朱桂芳", "胡国庆", "郭美玲",
]  # fmt: skip

STREET_MATTERS = {
    "HHD-CH": (
        "dianti",
        "关于春华街道老旧小区加装电梯工作方案的公示",
        "街道党工委会议研究决定，2027年在海棠苑、春晖里两个小区试点加装电梯12部。"
        "费用由政府补贴、公共维修资金和业主分摊三部分组成，低层住户补偿办法由各楼门议事会协商确定。",
    ),
    "HHD-XY": (
        "chongdian",
        "关于向阳街道电动自行车集中充电设施建设的公示",
        "街道党工委会议研究决定，在向阳新村、朝霞里、东湖湾三个小区新建集中充电棚9处、"
        "充电端口240个，由街道统一招标建设，充电价格按区发展改革部门核定标准执行。",
    ),
}
REVIEW_MATTER = (
    "koudai",
    "关于海棠苑小区东侧口袋公园改造方案的公示",
    "社区居民议事会议定：小区东侧闲置空地改造为口袋公园，增设健身器材、休息座椅和儿童游乐区，"
    "所需经费从社区公益服务项目资金列支，预算 86,000.00 元。",
)


@dataclass(frozen=True)
class Posting:
    period: Period
    posting_from: date
    posting_until: date

    @property
    def due_on(self) -> date:
        """When the district's default finance rule wants it posted."""
        following = Period(PeriodKind.MONTH, self.period.year, self.period.number).following()
        return date(following.year, following.number, FINANCE_DUE_DAY)


def month_start_months_ago(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def postings(kind: str, today: date, tracking_from: date, at_least: int) -> list[Posting]:
    """The periods of ``kind`` posted by ``today``: every period from the one holding
    ``tracking_from`` (and at least ``at_least``) up to the newest one whose posting
    window has opened."""
    after, days = {
        PeriodKind.MONTH: FINANCE_POSTING,
        PeriodKind.QUARTER: QUARTER_POSTING,
        PeriodKind.YEAR: YEAR_POSTING,
    }[kind]
    period = Period.containing(kind, today)
    found = []
    while True:
        starts = period.ends_on + timedelta(days=after)
        if starts <= today:
            found.append(Posting(period, starts, starts + timedelta(days=days - 1)))
        if len(found) >= at_least and period.starts_on <= tracking_from:
            break
        period = previous(period)
    return sorted(found, key=lambda posting: posting.period)


def previous(period: Period) -> Period:
    if period.kind == PeriodKind.MONTH:
        index = period.year * 12 + period.number - 2
        return Period(period.kind, index // 12, index % 12 + 1)
    if period.kind == PeriodKind.QUARTER:
        index = period.year * 4 + period.number - 2
        return Period(period.kind, index // 4, index % 4 + 1)
    return Period(period.kind, period.year - 1)


# -- content --------------------------------------------------------------------------------


def finance_rows(center, period: Period, rng: random.Random) -> list[dict]:
    """A month's income and expenditure, 5–10 rows; row 3 is always the utilities bill."""
    year, month = period.year, period.number
    last_day = period.ends_on.day

    def day(number):
        return date(year, month, min(number, last_day))

    def money(low, high, step=10):
        return Decimal(rng.randrange(low // step, high // step + 1) * step).quantize(
            Decimal("0.01")
        )

    rows = [
        ("上级拨付党群服务经费", money(18000, 26000, 500), None, 3),
        ("活动物资采购（文体活动用品）", None, money(800, 2600), 8),
        ("水电费", None, money(900, 1500), 12),
        ("志愿者保险（季度）" if month % 3 == 1 else "志愿者服务餐补", None, money(300, 900), 15),
    ]
    extras = [
        ("社区公益服务项目资金", money(5000, 12000, 500), None),
        ("四点半课堂教辅耗材", None, money(400, 1200)),
        ("党员教育培训资料印制", None, money(300, 900)),
        ("走访慰问困难群众", None, money(1500, 4000, 100)),
        ("楼道清洁及绿化养护", None, money(1200, 2800, 100)),
        ("办公用品购置", None, money(200, 800)),
        ("居民议事会会务费", None, money(200, 600)),
    ]
    for item, income, expenditure in rng.sample(extras, rng.randint(1, 6)):
        rows.append((item, income, expenditure, rng.randint(16, 28)))
    return [
        {
            "date": day(on),
            "item": item,
            "income": income or Decimal("0.00"),
            "expenditure": expenditure or Decimal("0.00"),
            "voucher": f"记-{year}-{month:02d}-{number:03d}",
        }
        for number, (item, income, expenditure, on) in enumerate(rows, start=1)
    ]


def finance_source(center, period: Period, rows: list[dict]):
    """The month as the bookkeeper's xlsx (a Wagtail document) and the rows read back from
    it, as the admin's upload would: (rows, document)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from disclosures.finance import read_finance_sheet, sample_finance_workbook

    workbook = sample_finance_workbook(rows, title=f"{center.title}{period.label}财务收支明细")
    sheet = read_finance_sheet(workbook, period)
    document = get_document_model()(title=f"{center.title}{period.label}财务收支表")
    document.file.save(
        f"caiwu-{center.code.lower()}-{period.key}.xlsx", ContentFile(workbook), save=False
    )
    document.save()
    read = [
        {
            "date": row.date,
            "item": row.item,
            "income": row.income,
            "expenditure": row.expenditure,
            "voucher": row.voucher,
        }
        for row in sheet.rows
    ]
    return read, document


def finance_body(center, period: Period) -> list:
    return [
        (
            "text",
            f"<p>{center.title}{period.label}党群服务经费收支情况公开如下。"
            "如有疑问，请在公示期内向社区居务监督委员会或社区党委反映。</p>",
        )
    ]


def table(caption: str, rows: list[list[str]], mask_names: bool = False) -> tuple:
    return (
        "table",
        {
            "caption": caption,
            "table": {
                "data": rows,
                "first_row_is_table_header": True,
                "first_col_is_header": False,
                "table_caption": "",
            },
            "mask_names": mask_names,
        },
    )


def party_body(center, period: Period, rng: random.Random) -> list:
    members = rng.randint(60, 180)
    dues = Decimal(members * rng.randint(18, 32)).quantize(Decimal("0.01"))
    return [
        (
            "text",
            f"<h2>党员发展</h2><p>{period.label}，社区党委接收预备党员{rng.randint(0, 2)}名，"
            f"确定发展对象{rng.randint(1, 3)}名，预备党员按期转正{rng.randint(0, 2)}名。"
            "发展程序经支部大会讨论、街道党工委审批，公示期间未收到异议。</p>"
            f"<h2>党费收缴</h2><p>本季度应交党费党员{members}名，实交{members}名，"
            f"收缴党费 {dues:,} 元，已全额上缴街道党工委。</p>"
            "<h2>组织生活会</h2><p>各党支部召开组织生活会，开展批评与自我批评和民主评议党员；"
            "党委书记讲专题党课1次，开展“主题党日”活动3次。</p>",
        ),
        table(
            "党费收缴情况",
            [
                ["党支部", "党员人数", "实交人数", "金额（元）"],
                ["第一党支部", str(members // 2), str(members // 2), f"{dues / 2:,.2f}"],
                [
                    "第二党支部",
                    str(members - members // 2),
                    str(members - members // 2),
                    f"{dues - dues / 2:,.2f}",
                ],
            ],
        ),
    ]


def affairs_body(center, period: Period, rng: random.Random) -> list:
    heads = rng.sample(LOW_INCOME_HEADS, 4)
    results = [
        [head, str(rng.randint(1, 4)), outcome, amount]
        for head, (outcome, amount) in zip(
            heads,
            [("新增", "1,210.00"), ("续保", "2,420.00"), ("续保", "1,815.00"), ("停保", "—")],
            strict=True,
        )
    ]
    return [
        (
            "text",
            f"<h2>居民议事会决定</h2><p>{period.label}召开居民议事会{rng.randint(2, 4)}次，"
            "议定：楼道堆物集中清理、小区非机动车棚夜间照明改造、周末志愿服务排班。"
            "议事记录可在社区党群服务中心查阅。</p>"
            "<h2>低保评议结果</h2><p>经入户调查、民主评议，评议结果如下，"
            "公示期内如有异议请向社区居委会或街道社会救助窗口反映。</p>",
        ),
        table(
            "最低生活保障评议结果",
            [["户主", "家庭人口", "评议结果", "保障金额（元/月）"], *results],
            mask_names=True,
        ),
        (
            "text",
            "<h2>惠民项目</h2><p>本季度实施惠民项目：老年助餐点延时供餐、"
            "四点半课堂增设周末班、独居老人智能水表安装，受益居民共"
            f"{rng.randint(300, 900)}人次。</p>",
        ),
    ]


def service_body(center, period: Period, rng: random.Random) -> list:
    return [
        (
            "text",
            f"<p>{center.title}{period.label}服务事项、办事流程与服务承诺公开如下。"
            "服务时间：周一至周五 8:30–17:30，周六上午 9:00–12:00（法定节假日除外）。</p>"
            "<h2>服务承诺</h2><ul><li>首问负责、一次告知、限时办结</li>"
            "<li>老年人、残疾人办事可预约上门或帮办代办</li>"
            "<li>意见建议 5 个工作日内答复</li></ul>",
        ),
        table(
            f"{period.label}服务情况",
            [
                ["服务项目", "服务人次", "满意率"],
                ["政务服务帮办代办", str(rng.randint(400, 1200)), "99.1%"],
                ["四点半课堂", str(rng.randint(1500, 4000)), "98.6%"],
                ["老年助餐", str(rng.randint(3000, 9000)), "97.8%"],
                ["健康义诊", str(rng.randint(200, 800)), "99.4%"],
            ],
        ),
    ]


def matter_body(text: str) -> list:
    return [
        (
            "text",
            f"<p>{text}</p><p>公示期内，居民对上述事项如有意见，"
            "可到党群服务中心书面反映，或向居务监督委员会反映。</p>",
        )
    ]


def low_income_workbook(center, rng: random.Random) -> bytes:
    """The affairs disclosure's attachment: the masked list as an Excel file."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "低保评议结果"
    sheet.append(["序号", "户主", "家庭人口", "评议结果"])
    for number, head in enumerate(rng.sample(LOW_INCOME_HEADS, 6), start=1):
        sheet.append([number, f"{head[0]}*{head[-1]}", rng.randint(1, 4), "续保"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attachment_document(center, rng: random.Random):
    """A Wagtail document holding the center's masked list (found again by title)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document_model = get_document_model()
    title = f"{center.title}低保评议结果名单（演示）"
    document = document_model.objects.filter(title=title).first()
    if document is None:
        document = document_model(title=title)
        document.file.save(
            f"dibao-{center.code.lower()}.xlsx",
            ContentFile(low_income_workbook(center, rng)),
            save=False,
        )
        document.save()
    return document


# -- publishing -----------------------------------------------------------------------------


def submit_for_review(page: DisclosurePage, user):
    """Start the committee's workflow on the page's latest revision; returns the links the
    task issued (one per member in office, newest first per member)."""
    workflow = review.ensure_review_workflow()
    workflow.start(page, user)
    task_state = page.current_workflow_task_state
    if not open_links(task_state):
        review.issue_links(task_state, user)
    return open_links(task_state)


def open_links(task_state) -> list:
    """Each member's newest unused link to review ``task_state``, chair first."""
    from disclosures.models import ReviewLink

    links = {}
    for link in ReviewLink.objects.filter(task_state=task_state, used_at=None).order_by("-pk"):
        links.setdefault(link.member_id, link)
    return sorted(links.values(), key=lambda link: (link.member.sort_order, link.member_id))


def publish(page: DisclosurePage, user, via_committee: bool) -> None:
    """Publish the page's latest revision: through the committee (the first members in
    office approve on their links until the quorum) when asked, directly otherwise (the
    archive, as if posted before the site)."""
    revision = page.save_revision(user=user)
    if not via_committee:
        revision.publish(user=user)
    else:
        quorum = page.center.supervision_committee.quorum
        for link in submit_for_review(page, user)[:quorum]:
            review.decide(link, True, "同意公开。")
    page.refresh_from_db()


@dataclass
class Context:
    today: date
    user: object
    created: int = 0
    overdue: str = ""
    corrected: str = ""
    in_review: str = ""


def add_disclosure(board, slug: str, context: Context, *, rows=(), publish_it=True, **fields):
    """The disclosure at ``slug`` on ``board``; created (and published) only if missing.
    Returns (page, created)."""
    existing = board.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific, False
    page = DisclosurePage(slug=slug, live=False, **fields)
    page.finance_rows = [FinanceRow(sort_order=n, **row) for n, row in enumerate(rows)]
    board.add_child(instance=page)
    context.created += 1
    if publish_it:
        publish(page, context.user, via_committee=page.is_posted_on(context.today))
    return page, True


def correct(page: DisclosurePage, context: Context) -> None:
    """Fix the utilities bill (row 3) of a published finance month and publish again."""
    rows = list(page.finance_rows.all())
    rows[2].expenditure = RIGHT_UTILITIES
    page.finance_rows = rows
    page.correction_note = CORRECTION_NOTE
    publish(page, context.user, via_committee=True)


# -- loading --------------------------------------------------------------------------------


def upsert_board(parent, tracking_from: date) -> DisclosureBoardPage:
    existing = parent.get_children().filter(slug=BOARD_SLUG).first()
    if existing is not None:
        return existing.specific
    board = DisclosureBoardPage(
        title=BOARD_TITLE,
        slug=BOARD_SLUG,
        intro=f"{parent.title}党务、居务、财务和服务事项公开。",
        tracking_from=tracking_from,
    )
    parent.add_child(instance=board)
    board.save_revision().publish()
    return board


def load_committee(center, names: tuple[str, str, str], number: int) -> SupervisionCommittee:
    committee, _ = SupervisionCommittee.objects.get_or_create(center=center, defaults={"quorum": 2})
    if not committee.members.exists():
        for order, name in enumerate(names):
            CommitteeMember.objects.create(
                committee=committee,
                sort_order=order,
                name=name,
                role=CommitteeRole.CHAIR if order == 0 else CommitteeRole.MEMBER,
                # Fictional numbers in 139 0000 0000 – 139 9999 9999.
                mobile=f"139{number:04d}{order + 1:04d}",
            )
    return committee


def load_center(center, context: Context, overdue: bool) -> None:
    today = context.today
    board = upsert_board(center, month_start_months_ago(today, 6))
    tracking_from = board.tracking_from
    rng = random.Random(center.code)

    months = postings(PeriodKind.MONTH, today, tracking_from, FINANCE_MONTHS)
    skipped = None
    if overdue:
        skipped = max(
            (posting for posting in months if posting.due_on < today),
            key=lambda posting: posting.period,
        )
        context.overdue = (
            f"逾期示例：{center.title}{skipped.period.label}财务公开未发布"
            f"（应于{skipped.due_on:%Y年%m月%d日}前公开）。"
        )
    # The newest month posted keeps the bookkeeper's original xlsx.
    newest = [posting for posting in months if posting is not skipped][-1]
    for index, posting in enumerate(months):
        if posting is skipped:
            continue
        period = posting.period
        rows = finance_rows(center, period, random.Random(f"{center.code}-{period.key}"))
        is_corrected = center.code == CORRECTED_CENTER and index == len(months) - 2
        if is_corrected:
            rows[2]["expenditure"] = WRONG_UTILITIES
        slug = f"caiwu-{period.key}"
        source = None
        if posting is newest and not board.get_children().filter(slug=slug).exists():
            rows, source = finance_source(center, period, rows)
        page, created = add_disclosure(
            board,
            slug,
            context,
            rows=rows,
            finance_source=source,
            title=f"{period.label}财务公开",
            kind=DisclosureKind.FINANCE,
            period_kind=period.kind,
            period_year=period.year,
            period_number=period.number,
            posting_from=posting.posting_from,
            posting_until=posting.posting_until,
            body=finance_body(center, period),
            opening_balance=Decimal(rng.randrange(8000, 30000, 100)) if index == 0 else None,
        )
        if is_corrected:
            if created:
                correct(page, context)
            context.corrected = f"更正示例：{center.title}{period.label}财务公开（第2版）。"

    quarters = postings(PeriodKind.QUARTER, today, tracking_from, QUARTERS)
    for posting in quarters:
        period = posting.period
        for kind, prefix, body in (
            (DisclosureKind.PARTY, "dangwu", party_body),
            (DisclosureKind.AFFAIRS, "juwu", affairs_body),
        ):
            content_rng = random.Random(f"{center.code}-{kind}-{period.key}")
            blocks = body(center, period, content_rng)
            if kind == DisclosureKind.AFFAIRS and posting is quarters[-1]:
                blocks.append(
                    (
                        "attachment",
                        {
                            "document": attachment_document(center, content_rng),
                            "caption": "低保评议结果名单（Excel，姓名已遮盖）",
                        },
                    )
                )
            add_disclosure(
                board,
                f"{prefix}-{period.key.lower()}",
                context,
                title=f"{period.label}{kind.label}",
                kind=kind,
                period_kind=period.kind,
                period_year=period.year,
                period_number=period.number,
                posting_from=posting.posting_from,
                posting_until=posting.posting_until,
                body=blocks,
            )

    for posting in postings(PeriodKind.YEAR, today, tracking_from, 1):
        period = posting.period
        add_disclosure(
            board,
            f"fuwu-{period.key}",
            context,
            title=f"{period.label}服务公开",
            kind=DisclosureKind.SERVICE,
            period_kind=period.kind,
            period_year=period.year,
            posting_from=posting.posting_from,
            posting_until=posting.posting_until,
            body=service_body(center, period, random.Random(f"{center.code}-{period.key}")),
        )

    if center.code in STREET_MATTERS:
        slug, title, text = STREET_MATTERS[center.code]
        add_matter(board, slug, title, text, today - timedelta(days=4), context)
    if center.code == CORRECTED_CENTER:
        slug, title, text = REVIEW_MATTER
        page, _ = add_matter(
            board, slug, title, text, today - timedelta(days=1), context, publish_it=False
        )
        if not page.live and page.current_workflow_state is None:
            page.save_revision(user=context.user)
            submit_for_review(page, context.user)
        state = "待居务监督委员会审核" if page.current_workflow_state else "草稿"
        context.in_review = f"{state}：{center.title}“{page.title}”。"


def add_matter(board, slug, title, text, decided: date, context: Context, publish_it=True):
    after, days = MATTER_POSTING
    starts = min(decided + timedelta(days=after), context.today)
    return add_disclosure(
        board,
        f"shixiang-{slug}",
        context,
        publish_it=publish_it,
        title=title,
        kind=DisclosureKind.AFFAIRS,
        period_kind=PeriodKind.MATTER,
        period_year=decided.year,
        matter_date=decided,
        posting_from=starts,
        posting_until=starts + timedelta(days=days - 1),
        body=matter_body(text),
    )


def demo_centers():
    """The street and community centers (the district's service hall posts nothing)."""
    from district.models import CenterKind, CenterPage

    return list(
        CenterPage.objects.filter(kind__in=[CenterKind.STREET, CenterKind.COMMUNITY]).order_by(
            "path"
        )
    )


def demo_user():
    """Who the demo publishes as: the demo's superuser (any superuser will do)."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(username="admin").first()
        or user_model.objects.filter(is_superuser=True).order_by("pk").first()
    )


# What the demo's editors may do in the disclosures' admin: committees (members are edited
# inline) and cadence rules. Which centers, the admin decides from their page permissions
# (district/permissions.py): a center's editor keeps that center's committee and own rules,
# the district's defaults stay with the district's editors.
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("supervisioncommittee", "committeemember", "cadencerule")
    for action in ("add", "change", "delete", "view")
]
CENTER_PERMISSIONS = [
    "view_supervisioncommittee",
    "change_supervisioncommittee",
    *(f"{action}_committeemember" for action in ("add", "change", "delete", "view")),
    *(f"{action}_cadencerule" for action in ("add", "change", "delete", "view")),
]


def load_permissions() -> None:
    """Wagtail's Editors keep every committee and the cadence rules; the community
    editor group of the catalog demo keeps its own center's committee and rules."""
    from catalog.demo import CENTER_EDITOR

    def permissions(codenames):
        return Permission.objects.filter(
            content_type__app_label="disclosures", codename__in=codenames
        )

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions(EDITOR_PERMISSIONS))
    community = Group.objects.filter(name=CENTER_EDITOR[1]).first()
    if community is not None:
        community.permissions.add(*permissions(CENTER_PERMISSIONS))


@transaction.atomic
def load_disclosures(today: date | None = None) -> list[str]:
    from district.models import CenterKind, StreetPage

    started = time.monotonic()
    context = Context(today=today or timezone.localdate(), user=demo_user())
    centers = demo_centers()
    communities = sorted(
        (center for center in centers if center.kind == CenterKind.COMMUNITY),
        key=lambda center: center.code,
    )
    overdue_code = (
        communities[OVERDUE_COMMUNITY_INDEX].code
        if len(communities) > OVERDUE_COMMUNITY_INDEX
        else None
    )
    for number, center in enumerate(centers):
        load_committee(center, COMMITTEE_NAMES[number % len(COMMITTEE_NAMES)], number + 1)
        load_center(center, context, overdue=center.code == overdue_code)
    for street in StreetPage.objects.order_by("path"):
        upsert_board(street, month_start_months_ago(context.today, 6))
    load_permissions()
    seconds = time.monotonic() - started
    logger.info("disclosures demo: %d new disclosures in %.1f s", context.created, seconds)
    lines = [
        f"公开栏：{len(centers)}个服务中心的公开栏和居务监督委员会，"
        f"新建公开事项{context.created}项（共{DisclosurePage.objects.count()}项）。"
    ]
    return lines + [
        line for line in (context.overdue, context.corrected, context.in_review) if line
    ]


def load_disclosures_demo(password: str | None = None) -> list[str]:
    """settings.DEMO_LOADERS: boards, committees and disclosures as of today."""
    return load_disclosures()
