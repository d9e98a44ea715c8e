"""Demo programme: six weeks of activities at every demo center, from the Monday of the
week ``load_demo`` runs in, so the demo always shows this week.

Every activity is saved through ``Activity.save()`` (the one scheduling path), which
refuses room clashes: the timetable below is a weekly grid — each room's sessions, monthly
ones and one-offs included, take their own weekday slots every week — so it fits whatever
week it starts in; a clash fails loudly. Activities are found again by a uid derived from
center code and key, so loading twice gives one copy. The demo shows a holiday skip, a
cancelled and a moved session, low-cost and sign-up activities, services delivered as
activities (义诊 …) and one full session with a waitlist.
"""

import importlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from catalog.opening import HOLIDAY, LOCAL_TZ

WEEKS = 6
PROGRAMME_SLUG = "jiemudan"
PROGRAMME_TITLE = "活动节目单"
UID_NAMESPACE = uuid.UUID("6f1d2c1e-8a54-4f0e-9a37-1f3c9d8b2a61")
DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAYS = "MO,TU,WE,TH,FR"
# Parents and older residents who signed up for the full session (numbers are fake).
SIGN_UP_NAMES = [
    "王秀兰", "李桂英", "张建国", "刘淑珍", "陈志强", "杨丽华", "赵玉梅", "黄海燕",
    "周晓明", "吴秀英", "徐丽娟", "孙建华", "马晓燕", "朱桂芳", "胡国庆", "郭美玲",
]  # fmt: skip
WAITLISTED = 2


@dataclass(frozen=True)
class DemoActivity:
    """One activity of a center's programme. ``byday`` is a weekly rule's days (TU,TH),
    a monthly rule's day (2SA) or a one-off's weekday (with ``week``, 0 = this week)."""

    key: str
    title: str
    kind: str
    hours: str  # "09:00-11:00"
    byday: str
    freq: str = "WEEKLY"  # WEEKLY, MONTHLY, or "" for a one-off
    week: int = 0  # a one-off's week
    room: str = ""
    place_note: str = ""
    description: str = ""
    organizer: str = ""
    service: str = ""  # a catalog service (by name) the activity delivers
    audiences: tuple[str, ...] = ()
    price: tuple[int, int] | None = None  # low cost: (price, market reference), 元/次
    capacity: int | None = None
    skip_holidays: bool = False
    makeup_days: bool = False
    cancel: tuple[int, str] | None = None  # (week, reason)
    move: tuple[int, int, str] | None = None  # (week, days later, reason)
    full: bool = False  # its next session is full, two on the waitlist
    shows_holiday_skip: bool = False  # extended if need be to meet a public holiday

    @property
    def times(self) -> tuple[time, time]:
        start, end = self.hours.split("-")
        return time.fromisoformat(start), time.fromisoformat(end)

    @property
    def weekdays(self) -> list[int]:
        """The weekdays (0 = Monday) the activity takes its slot on."""
        return [DAY_CODES.index(code.strip()[-2:]) for code in self.byday.split(",")]


def weekly(key, title, kind, byday, hours, **fields) -> DemoActivity:
    return DemoActivity(key, title, kind, hours, byday, **fields)


def monthly(key, title, kind, byday, hours, **fields) -> DemoActivity:
    return DemoActivity(key, title, kind, hours, byday, freq="MONTHLY", **fields)


def once(key, title, kind, week, day, hours, **fields) -> DemoActivity:
    return DemoActivity(key, title, kind, hours, day, freq="", week=week, **fields)


ELDERLY = ("elderly",)
CHILDREN = ("children_youth",)
EVERYONE = ("all_residents",)

PARTY = "党群活动"
CULTURE = "文体康养"
AFTER_SCHOOL = "四点半课堂"
VOLUNTEER = "志愿服务"
CONSULTATION = "议事协商"
LECTURE = "培训讲座"
CONVENIENCE = "便民服务"

# One activity per paragraph, its schedule on the first line.
# fmt: off
PROGRAMME: dict[str, list[DemoActivity]] = {
    "HHD-ZW": [
        weekly(
            "bangban", "老年人帮办代办专场", CONVENIENCE, "TU", "09:30-11:30",
            room="综合受理区", service="政务服务帮办代办", audiences=("elderly", "disabled"),
            description="工作人员一对一帮老年人、残疾人填表、取号、办理，子女不在身边也能办成。",
            skip_holidays=True,
        ),
        weekly(
            "yibao", "医保政策解读会", LECTURE, "WE", "14:30-15:30", room="会议室",
            organizer="海河东区医疗保障局", audiences=("all_residents", "elderly"),
            description="门诊慢特病、异地就医备案、城乡居民医保缴费，政策讲解加现场答疑。",
            skip_holidays=True,
        ),
        once(
            "linghuo", "灵活就业人员参保政策宣讲", LECTURE, 1, "TH", "14:30-16:00",
            room="会议室", organizer="海河东区人力资源和社会保障局",
            audiences=("new_employment",), capacity=40,
            description="骑手、网约车司机等灵活就业人员如何参加养老、医疗保险，补贴怎么申请。",
        ),
        monthly(
            "dangri", "窗口党员主题党日", PARTY, "-1FR", "15:30-16:30", room="会议室",
            organizer="海河东区政务服务办公室", audiences=EVERYONE,
            description="窗口党员集中学习，交流“高效办成一件事”经验。",
        ),
    ],
    "HHD-CH": [
        weekly(
            "taiji", "太极拳晨练", CULTURE, "MO,WE,FR", "08:30-09:30", room="多功能厅",
            organizer="海河东区乐龄志愿服务队", audiences=ELDERLY, skip_holidays=True,
            description="二十四式太极拳，志愿者教练带练，零基础可跟练。",
        ),
        weekly(
            "shufa", "老年大学书法班", LECTURE, "TU", "09:00-11:00", room="图书室",
            organizer="海河东区老年大学", audiences=ELDERLY, price=(20, 60), capacity=25,
            description="楷书入门到行书临帖，笔墨纸砚自备，教室备有练习用纸。",
        ),
        monthly(
            "hongse", "“红色课堂”党员教育", PARTY, "1TH", "14:30-16:00", room="党员活动室",
            service="“红色课堂”党员教育活动", organizer="中共海河东区委组织部",
            audiences=EVERYONE, description="身边的老党员讲党史，欢迎居民旁听。",
        ),
        weekly(
            "hechang", "合唱团排练", CULTURE, "TH", "09:30-11:30", room="多功能厅",
            organizer="海河东区文化馆", audiences=("elderly", "all_residents"),
            description="春华街道合唱团每周排练，为新年联欢会准备节目，欢迎新团员。",
        ),
        weekly(
            "yuedu", "周末亲子阅读会", CULTURE, "SA", "10:00-11:00", room="图书室",
            organizer="海河东区图书馆", audiences=("children_youth", "women"),
            description="绘本共读、故事接龙，适合4—8岁孩子和家长一起参加。",
        ),
        once(
            "xinli", "冬季情绪调适心理讲座", LECTURE, 2, "WE", "14:30-16:00", room="多功能厅",
            organizer="海河东区心桥心理咨询服务中心", audiences=EVERYONE, capacity=100,
            description="天短夜长容易情绪低落？心理咨询师讲如何识别和调适，会后可预约个体咨询。",
        ),
        once(
            "dianti", "老楼加装电梯议事会", CONSULTATION, 1, "FR", "15:00-16:30",
            room="党员活动室", organizer="海河东区春华街道办事处", audiences=EVERYONE,
            description="加装电梯的费用分摊、低层住户补偿，请各楼门长和居民代表参加。",
        ),
    ],
    "HHD-CH-01": [
        weekly(
            "sidianban", "四点半课堂", AFTER_SCHOOL, WEEKDAYS, "16:30-17:30",
            room="四点半课堂教室", service="四点半课堂课后看护服务", audiences=CHILDREN,
            skip_holidays=True, makeup_days=True, shows_holiday_skip=True,
            description="放学后作业辅导和看护，大学生志愿者和退休教师轮流值班，家长17:30前来接。",
        ),
        weekly(
            "yizhen", "专家进社区义诊", CONVENIENCE, "TH", "09:00-11:00", room="居民议事厅",
            service="专家进社区义诊", audiences=("elderly", "all_residents"),
            skip_holidays=True,
            description="区医院内科、中医科专家坐诊，量血压、看化验单、用药咨询，请带上医保卡和病历。",
        ),
        weekly(
            "xueya", "血压血糖免费检测", CONVENIENCE, "MO,WE", "08:30-10:00",
            room="健康服务角", service="血压血糖免费检测", audiences=ELDERLY,
            skip_holidays=True, description="测血糖请空腹前来。结果记入家庭医生健康档案。",
        ),
        weekly(
            "shouji", "老年人智能手机课", LECTURE, "WE", "14:30-16:00", room="居民议事厅",
            organizer="共青团海河东区委员会", audiences=ELDERLY, capacity=20,
            cancel=(2, "授课志愿者参加区里集中培训，本周暂停一次，下周照常。"),
            description="微信视频、扫码乘车、网上挂号，青年志愿者手把手教，请带上自己的手机。",
        ),
        weekly(
            "wudao", "舞蹈队排练", CULTURE, "TU,FR", "09:00-10:30", room="居民议事厅",
            audiences=("elderly", "women"),
            move=(1, 1, "周二上午居民议事厅召开居民代表会议，本次排练改到周三同一时间。"),
            description="海棠苑舞蹈队排练民族舞和广场舞，欢迎喜欢跳舞的居民加入。",
        ),
        once(
            "binggan", "亲子手工：冬日暖暖饼干", CULTURE, 1, "SA", "09:30-11:30",
            room="妇女儿童之家", organizer="海河东区妇女联合会",
            audiences=("children_youth", "women"), price=(15, 40), capacity=12, full=True,
            description="家长和孩子一起揉面、压模、烘烤，带走一盒自己做的饼干。材料费15元。",
        ),
        once(
            "louting", "楼道堆物清理议事会", CONSULTATION, 2, "TU", "15:00-16:30",
            room="居民议事厅", organizer="海河东区春华街道办事处", audiences=EVERYONE,
            description="楼道堆物影响消防通道，一起商量清理时间和“共享储物间”方案。",
        ),
        monthly(
            "dangri", "主题党日", PARTY, "-1FR", "14:30-16:00", room="居民议事厅",
            organizer="中共海河东区委组织部", audiences=EVERYONE,
            description="社区党委月度主题党日：集中学习、党员认领“微心愿”。",
        ),
        monthly(
            "modao", "磨刀磨剪便民日", VOLUNTEER, "2SA", "09:00-11:30",
            place_note="海棠苑小区中心广场", service="磨刀磨剪服务", audiences=EVERYONE,
            description="志愿者师傅现场磨菜刀、剪刀，免费。",
        ),
    ],
    "HHD-CH-02": [
        weekly(
            "zhongyi", "中医药健康义诊", CONVENIENCE, "SA", "09:00-11:00",
            room="多功能活动室", service="中医药健康义诊", audiences=("elderly", "all_residents"),
            description="中医师把脉问诊、艾灸体验、冬季养生茶饮推荐。",
        ),
        weekly(
            "yujia", "晚间瑜伽课", CULTURE, "TU,TH", "19:00-20:00", room="多功能活动室",
            service="成人瑜伽健身课程", audiences=("women", "all_residents"), price=(10, 50),
            capacity=20,
            description="下班后一小时舒展身体，瑜伽垫现场提供，也可自带。",
        ),
        weekly(
            "shuhua", "书画社活动", CULTURE, "WE", "09:00-11:00", room="书画室",
            organizer="海河东区文化馆", audiences=ELDERLY,
            description="书法、国画同好交流，文化馆老师每月来点评一次。",
        ),
        weekly(
            "tuoguan", "四点半课堂", AFTER_SCHOOL, WEEKDAYS, "16:30-18:00", room="书画室",
            service="小学生课后托管服务", audiences=CHILDREN, skip_holidays=True,
            description="放学后写作业、读绘本，志愿者看护，家长下班顺路来接。",
        ),
        once(
            "qishou", "骑手安全骑行宣讲", LECTURE, 1, "TH", "14:00-15:00",
            room="“驿路有爱”服务站", organizer="海河东区总工会", audiences=("new_employment",),
            description="冬季雨雪天骑行安全、电动车电池保养，参加者领热饮和反光背心。",
        ),
        once(
            "minfadian", "民法典进社区普法讲座", LECTURE, 2, "WE", "14:30-16:00",
            room="多功能活动室", service="民法典进社区普法讲座", audiences=EVERYONE,
            description="遗嘱、赡养、邻里纠纷，律师结合真实案例讲解，会后现场咨询。",
        ),
        monthly(
            "yijian", "爱心义剪", VOLUNTEER, "2SU", "09:00-11:00", room="日间照料室",
            service="爱心义剪", audiences=ELDERLY,
            description="志愿者理发师为老年人免费理发，行动不便的可登记上门。",
        ),
        monthly(
            "yishi", "居民议事会", CONSULTATION, "3WE", "19:00-20:00", room="多功能活动室",
            organizer="海河东区春华街道办事处", audiences=EVERYONE,
            description="晚上开会方便上班族参加：本月议题是电动自行车充电棚收费。",
        ),
    ],
    "HHD-CH-03": [
        weekly(
            "yizhen", "专家进社区义诊", CONVENIENCE, "TU", "09:00-11:00", room="多功能厅",
            service="专家进社区义诊", audiences=("elderly", "all_residents"),
            skip_holidays=True, description="区医院专家坐诊，请带上医保卡和近期检查报告。",
        ),
        weekly(
            "sidianban", "四点半课堂", AFTER_SCHOOL, WEEKDAYS, "16:30-17:30",
            room="四点半课堂教室", organizer="共青团海河东区委员会", audiences=CHILDREN,
            skip_holidays=True, description="作业辅导、安全教育和趣味阅读。",
        ),
        weekly(
            "falv", "法律顾问坐班", CONVENIENCE, "WE", "14:00-16:00", room="法律服务室",
            service="社区法律顾问坐班咨询", audiences=EVERYONE, skip_holidays=True,
            description="社区法律顾问现场解答婚姻家庭、劳动、物业纠纷等问题。",
        ),
        weekly(
            "kangfu", "康复操小组", CULTURE, "MO,TH", "09:30-10:30", room="社区康复站",
            organizer="海河东区残疾人康复服务中心", audiences=("disabled", "elderly"),
            description="康复师带做康复操和器械训练，适合中风后恢复期和关节不便的居民。",
        ),
        monthly(
            "jiadian", "家电义务维修", VOLUNTEER, "1SA", "09:00-11:30", room="便民维修站",
            service="家电义务维修", audiences=EVERYONE,
            description="小家电、收音机、电风扇免费检修，只收配件成本费。",
        ),
        once(
            "jijiu", "应急救护培训", LECTURE, 1, "WE", "09:30-11:00", room="多功能厅",
            organizer="海河东区红十字会", audiences=EVERYONE, capacity=40,
            description="心肺复苏、海姆立克急救法，用模拟人练习，考核合格发证书。",
        ),
        once(
            "tingche", "小区停车管理议事会", CONSULTATION, 3, "TH", "14:00-15:30",
            room="多功能厅", organizer="海河东区春华街道办事处", audiences=EVERYONE,
            description="外来车辆停放、夜间停车收费，物业和居民代表一起商量。",
        ),
    ],
    "HHD-XY": [
        weekly(
            "guangchangwu", "广场舞队排练", CULTURE, "MO,WE", "09:00-10:30",
            room="舞蹈排练室", organizer="海河东区文化馆", audiences=("elderly", "women"),
            description="向阳街道广场舞队冬季室内排练。",
        ),
        weekly(
            "meishu", "少儿美术", CULTURE, "SA", "09:30-11:00", room="培训教室",
            service="少儿舞蹈美术培训", audiences=CHILDREN, price=(30, 80), capacity=20,
            description="6—12岁儿童创意美术，画材由老师准备。",
        ),
        weekly(
            "jineng", "新就业群体技能提升培训", LECTURE, "TH", "14:00-16:00",
            room="培训教室", service="新就业形态劳动者技能提升公益培训",
            audiences=("new_employment",), skip_holidays=True,
            description="电工、家电维修、直播带货等技能，结业可申请职业技能培训补贴。",
        ),
        monthly(
            "jiuhu", "应急救护技能培训", LECTURE, "2SA", "14:00-16:30", room="多功能厅",
            service="应急救护技能培训", audiences=EVERYONE, capacity=60,
            description="红十字会救护师资授课，心肺复苏和AED使用。",
        ),
        monthly(
            "hongse", "“红色课堂”党员教育", PARTY, "1WE", "09:30-11:00", room="多功能厅",
            service="“红色课堂”党员教育活动", organizer="中共海河东区委组织部",
            audiences=EVERYONE, description="专题党课，欢迎居民群众旁听。",
        ),
        weekly(
            "aixin", "爱心超市积分兑换日", VOLUNTEER, "FR", "14:00-16:00", room="爱心超市",
            organizer="向阳街道“红马甲”志愿服务队", audiences=("low_income", "all_residents"),
            description="志愿服务积分兑换米面油和日用品，困难家庭凭卡领取。",
        ),
        weekly(
            "xiqu", "戏曲票友会", CULTURE, "TU", "14:00-16:30", room="多功能厅",
            organizer="海河东区文化馆", audiences=ELDERLY,
            description="京剧、评剧票友清唱交流，琴师现场伴奏。",
        ),
        once(
            "jiaozi", "邻里包饺子", PARTY, 2, "SU", "14:00-16:00", room="长者食堂",
            organizer="海河东区向阳街道办事处", audiences=("elderly", "all_residents"),
            capacity=60,
            description="包饺子、拉家常，饺子送给辖区独居老人和户外劳动者。",
        ),
    ],
    "HHD-XY-01": [
        weekly(
            "sidianban", "四点半课堂", AFTER_SCHOOL, WEEKDAYS, "16:30-18:00",
            room="课后托管教室", service="四点半课堂课后看护服务", audiences=CHILDREN,
            skip_holidays=True, description="作业辅导、课外阅读，家长18:00前来接。",
        ),
        weekly(
            "yizhen", "专家进社区义诊", CONVENIENCE, "FR", "09:00-11:00", room="文体活动室",
            service="专家进社区义诊", audiences=("elderly", "all_residents"),
            skip_holidays=True, description="每周五上午专家坐诊，量血压、看报告、用药咨询。",
        ),
        once(
            "manbing", "慢性病防治健康讲座", LECTURE, 1, "WE", "14:30-16:00",
            room="文体活动室", service="慢性病防治健康讲座", audiences=ELDERLY,
            description="高血压、糖尿病冬季用药和饮食，家庭医生团队主讲。",
        ),
        weekly(
            "pingpang", "乒乓球活动", CULTURE, "SA", "09:00-11:30", room="文体活动室",
            organizer="海河东区体育局", audiences=EVERYONE,
            description="球台免费开放，社区乒乓球队教练现场指导。",
        ),
        weekly(
            "hechang", "合唱团排练", CULTURE, "TU", "14:00-16:00", room="文体活动室",
            organizer="海河东区文化馆", audiences=ELDERLY,
            description="向阳新村合唱团排练新年节目。",
        ),
        once(
            "fushi", "妈妈课堂：婴幼儿辅食", LECTURE, 2, "TH", "09:30-11:00",
            room="妇女儿童之家", organizer="海河东区妇幼保健计划生育服务中心",
            audiences=("women",), capacity=25,
            description="6个月到2岁宝宝辅食添加、过敏预防，妇幼保健医生讲解。",
        ),
        monthly(
            "lifa", "老年人理发日", CONVENIENCE, "1WE", "09:00-11:00",
            place_note="社区服务中心一楼大厅", service="老年人理发服务", audiences=ELDERLY,
            price=(5, 20), description="理发师进社区，老年人低偿理发。",
        ),
        monthly(
            "yishi", "居民议事会", CONSULTATION, "3TH", "14:00-15:30", room="文体活动室",
            organizer="海河东区向阳街道办事处", audiences=EVERYONE,
            description="本月议题：小区垃圾分类投放点调整。",
        ),
    ],
    "HHD-XY-02": [
        weekly(
            "zhongyi", "中医药健康义诊", CONVENIENCE, "WE", "09:00-11:00", room="多功能厅",
            service="中医药健康义诊", audiences=("elderly", "all_residents"),
            skip_holidays=True, description="中医师把脉问诊，推拿、艾灸体验。",
        ),
        weekly(
            "jianzhi", "剪纸与面塑非遗体验", CULTURE, "TH", "14:00-16:00", room="书画室",
            service="剪纸与面塑非遗体验", audiences=("children_youth", "elderly"),
            price=(10, 60), capacity=15,
            description="非遗传承人教剪窗花、捏面人，材料费10元。",
        ),
        weekly(
            "xinli", "心理咨询开放日", CONVENIENCE, "TU", "14:00-16:00", room="心理咨询室",
            service="社区心理健康咨询", audiences=EVERYONE, capacity=4, skip_holidays=True,
            description="心理咨询师一对一倾听，每人约30分钟，内容保密。",
        ),
        weekly(
            "shufa", "书法班", CULTURE, "MO", "09:00-11:00", room="书画室",
            organizer="海河东区老年大学", audiences=ELDERLY,
            description="老年大学社区教学点，楷书、隶书。",
        ),
        once(
            "minfadian", "民法典普法讲座", LECTURE, 1, "TU", "09:30-11:00", room="多功能厅",
            service="民法典进社区普法讲座", audiences=EVERYONE,
            description="婚姻家庭编、继承编要点，律师现场答疑。",
        ),
        monthly(
            "dangri", "主题党日", PARTY, "-1FR", "14:30-16:00", room="多功能厅",
            organizer="中共海河东区委组织部", audiences=EVERYONE,
            description="社区党委月度主题党日。",
        ),
        monthly(
            "huishou", "旧物回收日", VOLUNTEER, "2FR", "09:00-11:00", room="环保回收点",
            service="可回收物积分兑换", audiences=EVERYONE,
            description="旧衣物、纸板、塑料瓶分类回收，可积分兑换日用品。",
        ),
    ],
    "HHD-XY-03": [
        weekly(
            "yizhen", "专家进社区义诊", CONVENIENCE, "MO", "09:00-11:00", room="文体活动室",
            service="专家进社区义诊", audiences=("elderly", "all_residents"),
            skip_holidays=True, description="每周一上午专家坐诊，请带上医保卡。",
        ),
        weekly(
            "sidianban", "四点半课堂", AFTER_SCHOOL, WEEKDAYS, "16:30-18:00",
            room="图书流通点", service="四点半课堂课后看护服务", audiences=CHILDREN,
            skip_holidays=True, description="作业辅导和课外阅读。",
        ),
        weekly(
            "baduanjin", "八段锦晨练", CULTURE, "TU,TH", "08:30-09:30", room="文体活动室",
            service="全民健身公益指导", audiences=ELDERLY,
            description="社会体育指导员带练八段锦，适合中老年人。",
        ),
        weekly(
            "zhineng", "老年人智能技术运用培训", LECTURE, "WE", "14:30-16:00",
            room="会议室", service="老年人智能技术运用培训", audiences=ELDERLY, capacity=20,
            description="手机挂号、视频通话、防范电信诈骗，一人一机手把手教。",
        ),
        once(
            "chongdian", "充电桩选址议事会", CONSULTATION, 1, "FR", "14:30-16:00",
            room="会议室", organizer="海河东区向阳街道办事处", audiences=EVERYONE,
            description="新增电动自行车充电桩放在哪里，请居民代表一起商量。",
        ),
        weekly(
            "wucan", "户外劳动者暖心午餐", VOLUNTEER, "FR", "11:30-13:00",
            room="户外劳动者服务站", organizer="向阳街道“红马甲”志愿服务队",
            audiences=("new_employment",),
            description="环卫工人、快递员、外卖骑手来站里吃一顿热乎的午饭。",
        ),
        once(
            "qipai", "棋牌友谊赛", CULTURE, 2, "SA", "09:00-11:30", room="文体活动室",
            organizer="海河东区体育局", audiences=ELDERLY, capacity=32,
            description="象棋、围棋、扑克“掼蛋”友谊赛，报名后现场抽签分组。",
        ),
    ],
}
# fmt: on


@dataclass
class Window:
    """The demo's six weeks and the holiday calendar over them (and a year beyond)."""

    first: date
    last: date
    calendar: object
    notes: list[str] = field(default_factory=list)

    def day(self, week: int, weekday: int) -> date:
        return self.first + timedelta(weeks=week, days=weekday)

    def is_holiday(self, day: date) -> bool:
        return self.calendar.kind_of(day) == HOLIDAY

    def working_day(self, week: int, weekday: int, *, then: int = 0) -> date:
        """The date of ``weekday`` in ``week``, or a later week's if that day (or the day
        ``then`` days after it) is a public holiday."""
        while week < WEEKS - 1:
            day = self.day(week, weekday)
            if not (self.is_holiday(day) or self.is_holiday(day + timedelta(days=then))):
                return day
            week += 1
        return self.day(week, weekday)


def demo_window(today: date) -> Window:
    from catalog.models import PublicHoliday

    first = today - timedelta(days=today.weekday())
    last = first + timedelta(weeks=WEEKS, days=-1)
    calendar = PublicHoliday.objects.calendar(first, last + timedelta(days=366))
    return Window(first, last, calendar)


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def holiday_met(window: Window, spec: DemoActivity) -> date:
    """The last day of ``spec``'s rule: the window's, or later, to reach the first public
    holiday on one of its weekdays (the demo shows one holiday skip)."""
    holidays = sorted(
        day
        for day, (kind, _name) in window.calendar.days.items()
        if kind == HOLIDAY and day >= window.first and day.weekday() in spec.weekdays
    )
    if not holidays:
        window.notes.append(
            f"注意：节假日日历中{day_text(window.first)}以后没有法定节假日，"
            f"演示中看不到“{spec.title}”节假日停开；请在后台“法定节假日”中录入新一年的安排。"
        )
        return window.last
    if holidays[0] <= window.last:
        return window.last
    until = holidays[0] + timedelta(days=7)
    window.notes.append(
        f"“{spec.title}”排到{day_text(until)}，以展示{day_text(holidays[0])}"
        f"（{window.calendar.name_of(holidays[0])}）停开。"
    )
    return until


def seed_kinds() -> dict[str, object]:
    """The kinds of migration activities 0004 (a flushed database has lost its rows)."""
    from activities.models import ActivityKind

    migration = importlib.import_module("activities.migrations.0004_kinds_and_room_exclusion")
    migration.seed_kinds(apps, None)
    return {kind.name: kind for kind in ActivityKind.objects.all()}


class Lookups:
    """The catalog rows the programme names, each fetched once."""

    def __init__(self):
        from catalog.models import Organization, TaxonomyTerm
        from catalog.models.taxonomy import AUDIENCE_TAXONOMY

        self.kinds = seed_kinds()
        self.organizations = {o.name: o for o in Organization.objects.all()}
        self.audiences = {
            term.code: term
            for term in TaxonomyTerm.objects.filter(taxonomy__name=AUDIENCE_TAXONOMY)
        }

    def service(self, name: str, center):
        """The catalog service of that name offered at the center, else anywhere."""
        from catalog.models import Service

        if not name:
            return None
        services = Service.objects.filter(name=name).select_related("organization")
        at_center = services.filter(service_at_locations__location__center=center).first()
        return at_center or services.first()


def exceptions_of(spec: DemoActivity, window: Window, rooms: dict) -> list:
    from activities.models import ActivityException, ExceptionAction

    found = []
    weekday = spec.weekdays[0]
    if spec.cancel:
        week, reason = spec.cancel
        found.append(
            ActivityException(
                occurrence_date=window.working_day(week, weekday),
                action=ExceptionAction.CANCEL,
                reason=reason,
            )
        )
    if spec.move:
        week, days_later, reason = spec.move
        day = window.working_day(week, weekday, then=days_later)
        found.append(
            ActivityException(
                occurrence_date=day,
                action=ExceptionAction.MOVE,
                new_date=day + timedelta(days=days_later),
                reason=reason,
            )
        )
    return found


def save_activity(center, spec: DemoActivity, rooms: dict, window: Window, lookups: Lookups):
    """Create or update the demo activity and (through ``Activity.save``) its sessions."""
    from activities.models import Activity, ActivityCost, SignUp

    uid = uuid.uuid5(UID_NAMESPACE, f"{center.code}/{spec.key}")
    activity = Activity.objects.filter(uid=uid).first() or Activity(uid=uid)
    if spec.freq:
        dtstart = window.first
        until = holiday_met(window, spec) if spec.shows_holiday_skip else window.last
    else:
        dtstart, until = window.day(spec.week, spec.weekdays[0]), None
    if activity.pk and activity.dtstart != dtstart:
        # Loaded in an earlier week: its fake sign-ups would keep past sessions alive.
        SignUp.objects.filter(occurrence__activity=activity).delete()
    service = lookups.service(spec.service, center)
    organizer = lookups.organizations.get(spec.organizer) if spec.organizer else None
    if organizer is None and service is not None:
        organizer = service.organization
    start, end = spec.times
    activity.center = center
    activity.title = spec.title
    activity.description = spec.description
    activity.kind = lookups.kinds[spec.kind]
    activity.organizer = organizer
    activity.service = service
    activity.room = rooms[spec.room] if spec.room else None
    activity.place_note = spec.place_note
    activity.cost = ActivityCost.LOW_COST if spec.price else ActivityCost.FREE
    activity.price = Decimal(spec.price[0]) if spec.price else None
    activity.market_reference_price = Decimal(spec.price[1]) if spec.price else None
    activity.price_unit = "元/次"
    activity.capacity = spec.capacity
    activity.signup_required = spec.capacity is not None
    activity.dtstart = dtstart
    activity.all_day = False
    activity.start_time, activity.end_time = start, end
    activity.freq = spec.freq
    activity.interval = 1
    activity.byday = spec.byday if spec.freq else ""
    activity.bymonthday = ""
    activity.until = until
    activity.count = None
    activity.skip_holidays = spec.skip_holidays
    activity.runs_on_makeup_workdays = spec.makeup_days
    activity.audiences = [lookups.audiences[code] for code in spec.audiences]
    activity.exceptions = exceptions_of(spec, window, rooms)
    activity.clean()  # the price and schedule rules an editor meets
    activity.save()
    return activity


def fill_with_waitlist(activity) -> int:
    """Sign-ups up to capacity on the activity's next session, and two on its waitlist
    (confirmed while the registration rules leave places, as a resident's would be)."""
    from activities.models import SignUp, SignUpStatus
    from activities.registration.service import places_left

    occurrence = (
        activity.occurrences.exclude(status="cancelled")
        .filter(starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if occurrence is None:
        return 0
    taken = set(occurrence.sign_ups.values_list("phone", flat=True))
    for number, name in enumerate(SIGN_UP_NAMES[: activity.capacity + WAITLISTED], start=1):
        phone = f"1380000{number:04d}"
        if phone in taken:
            continue
        # Not registration.service.sign_up: its per-number throttle would refuse the
        # same fake numbers when the demo is loaded a few times within the hour.
        status = SignUpStatus.WAITLISTED if places_left(occurrence) == 0 else SignUpStatus.CONFIRMED
        SignUp.objects.create(occurrence=occurrence, name=name, phone=phone, status=status)
    return activity.capacity + WAITLISTED


def load_programme_pages() -> int | None:
    """A 活动节目单 page under every street and center, once its page model exists."""
    from district.demo.loader import upsert_child
    from district.models import CenterPage, StreetPage

    try:
        model = apps.get_model("activities", "ProgrammeSheetPage")
    except LookupError:
        return None
    parents = [*StreetPage.objects.order_by("path"), *CenterPage.objects.order_by("path")]
    for parent in parents:
        upsert_child(parent, model, PROGRAMME_SLUG, title=PROGRAMME_TITLE)
    return len(parents)


def load_activities_demo(password=None) -> list[str]:
    """Rooms are the district loader's; this adds six weeks of activities at each center."""
    from activities.models import Occurrence, Room
    from district.models import CenterPage

    window = demo_window(timezone.localdate())
    lookups = Lookups()
    activities = []
    for center in CenterPage.objects.filter(code__in=PROGRAMME).order_by("path"):
        rooms = {room.name: room for room in Room.objects.filter(center=center)}
        for spec in PROGRAMME[center.code]:
            activity = save_activity(center, spec, rooms, window, lookups)
            activities.append(activity)
            if spec.full:
                fill_with_waitlist(activity)
    sessions = Occurrence.objects.filter(activity__in=activities).between(
        datetime.combine(window.first, time.min, tzinfo=LOCAL_TZ),
        datetime.combine(window.last + timedelta(days=1), time.min, tzinfo=LOCAL_TZ),
    )
    lines = [
        f"活动：{len(activities)}项活动，{day_text(window.first)}至{day_text(window.last)}"
        f"共{sessions.count()}场。",
        *window.notes,
    ]
    pages = load_programme_pages()
    if pages is not None:
        lines.append(f"活动节目单页面：{pages}个。")
    kiosks = load_kiosks_demo()
    lines.append(f"大厅屏：{kiosks}台（安装链接见后台“活动与功能室 › 大厅屏”）。")
    load_activity_permissions()
    return lines


# Every center's lobby screen; the main demo center also has a portrait touch screen upstairs.
LOBBY_KIOSK = {"name": "一楼大厅屏", "slug": "dating", "place": "一楼大厅入口处"}
TOUCH_KIOSK_CENTER = "HHD-CH-01"
TOUCH_KIOSK = {
    "name": "二楼触摸屏",
    "slug": "chumo",
    "place": "二楼活动室走廊",
    "orientation": "portrait",
    "touch": True,
}


def load_kiosks_demo() -> int:
    """A landscape lobby screen at each center (dark 21:00–07:00, the default rotation),
    plus the touch screen; found again by center and slug, tokens kept on re-runs. A screen
    made before the notices and honor-board slides existed gets them added at the end."""
    from activities.models import Kiosk, KioskSlide
    from activities.models.kiosks import DEFAULT_SLIDES, SlideKind
    from district.models import CenterPage

    count = 0
    for center in CenterPage.objects.order_by("path"):
        specs = [LOBBY_KIOSK] + ([TOUCH_KIOSK] if center.code == TOUCH_KIOSK_CENTER else [])
        for spec in specs:
            fields = {"orientation": "landscape", "touch": False, **spec}
            kiosk, _ = Kiosk.objects.update_or_create(
                center=center,
                slug=fields.pop("slug"),
                defaults={**fields, "dark_from": time(21), "dark_until": time(7)},
            )
            if not kiosk.slides.exists():
                KioskSlide.objects.bulk_create(
                    KioskSlide(kiosk=kiosk, kind=kind, seconds=seconds, sort_order=order)
                    for order, (kind, seconds) in enumerate(DEFAULT_SLIDES)
                )
            else:
                add_slides(kiosk, [SlideKind.NOTICES, SlideKind.HONORS])
            count += 1
    return count


def add_slides(kiosk, kinds) -> None:
    """Adds each of ``kinds`` the kiosk does not rotate yet, after its slides, with the
    default seconds."""
    from activities.models import KioskSlide
    from activities.models.kiosks import DEFAULT_SLIDES

    slides = list(kiosk.slides.all())
    have = {slide.kind for slide in slides}
    order = max((slide.sort_order or 0 for slide in slides), default=-1) + 1
    seconds = dict(DEFAULT_SLIDES)
    for kind in kinds:
        if kind not in have:
            KioskSlide.objects.create(
                kiosk=kiosk, kind=kind, seconds=seconds.get(kind, 15), sort_order=order
            )
            order += 1


# What the demo's editors may do with activities; which centers, their page permissions say.
CENTER_EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("activity", "activityexception", "signup", "kiosk", "kioskslide")
    for action in ("add", "change", "delete", "view")
] + ["view_occurrence"]
DISTRICT_ONLY_PERMISSIONS = [
    f"{action}_activitykind" for action in ("add", "change", "delete", "view")
]


def load_activity_permissions() -> None:
    """Wagtail's Editors keep activities and the list of kinds; the one community's editor
    group of the catalog demo keeps its own center's activities and sign-ups."""
    from django.contrib.auth.models import Group, Permission

    from catalog.demo import CENTER_EDITOR

    def permissions(codenames):
        return Permission.objects.filter(
            content_type__app_label="activities", codename__in=codenames
        )

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions(CENTER_EDITOR_PERMISSIONS + DISTRICT_ONLY_PERMISSIONS))
    community = Group.objects.filter(name=CENTER_EDITOR[1]).first()
    if community is not None:
        community.permissions.add(*permissions(CENTER_EDITOR_PERMISSIONS))
