"""Demo content: the district's streets, centers, rooms and notices.

Codes and names match the locations of the demo catalog (``catalog/demo/data/``), which
holds each center's place facts — address, coordinates, phones, accessibility and opening
hours — and links them to these pages by code when ``load_demo`` imports it. Figures, rooms
and notices are invented for the demo.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DemoRoom:
    name: str
    floor: str
    capacity: int | None = None
    area_m2: int | None = None
    description: str = ""


@dataclass(frozen=True)
class DemoNotice:
    slug: str
    title: str
    date: date
    summary: str
    body: str
    #: Slug of its category (district.NoticeCategory, seeded by migration 0004).
    category: str = "qita"
    #: Days from the day the demo loads: pinned until then / in force until then (negative:
    #: already expired) / dated that many days back instead of ``date``.
    pinned_for_days: int | None = None
    expires_in_days: int | None = None
    days_ago: int | None = None


@dataclass(frozen=True)
class DemoCenter:
    code: str
    slug: str
    kind: str
    title: str
    intro: str
    alternate_name: str = ""
    households: int | None = None
    residents: int | None = None
    grids: int | None = None
    rooms: list[DemoRoom] = field(default_factory=list)
    notices: list[DemoNotice] = field(default_factory=list)


@dataclass(frozen=True)
class DemoStreet:
    slug: str
    title: str
    intro: str
    centers: list[DemoCenter]
    notices: list[DemoNotice] = field(default_factory=list)


FIGURES_AS_OF = date(2026, 10, 31)

DISTRICT_TITLE = "海河东区社区党群服务中心"
DISTRICT_INTRO = (
    "海河东区下辖春华、向阳两个街道、六个社区。区政务服务中心和各级党群服务中心"
    "把政务服务、公益服务、市场服务和低偿服务送到居民家门口。"
)


#: The category of each demo notice (by slug); those not named are 其他.
NOTICE_CATEGORIES = {
    "2026-saturday-service": "banshi-tixing",
    "2026-green-channel": "banshi-tixing",
    "2026-winter-heating": "banshi-tixing",
    "2026-volunteer-recruit": "zhaomu",
    "2026-free-checkup": "huodong-yugao",
    "2026-elder-canteen-menu": "zhengce-xuanchuan",
    "2026-library-hours": "banshi-tixing",
    "2026-after-school": "zhaomu",
    "2026-residents-council": "huodong-yugao",
    "2026-bath-booking": "banshi-tixing",
    "2026-lawyer-duty": "banshi-tixing",
    "2026-repair-day": "huodong-yugao",
    "2026-anti-fraud": "zhengce-xuanchuan",
    "2026-skills-training": "zhaomu",
    "2026-points-exchange": "huodong-yugao",
    "2026-choir": "zhaomu",
    "2026-after-school-care": "banshi-tixing",
    "2026-recycling": "huodong-yugao",
    "2026-childcare-openings": "zhengce-xuanchuan",
}
#: The street's heating notice stays at the top of its lists for two weeks from loading.
PINNED_NOTICES = {"2026-winter-heating": 14}
#: The repair day is over: its notice expired three days before loading.
EXPIRED_NOTICES = {"2026-repair-day": -3}


def _notice(slug, title, day, summary, *paragraphs, **fields) -> DemoNotice:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    fields.setdefault("category", NOTICE_CATEGORIES.get(slug, "qita"))
    fields.setdefault("pinned_for_days", PINNED_NOTICES.get(slug))
    fields.setdefault("expires_in_days", EXPIRED_NOTICES.get(slug))
    return DemoNotice(slug, title, day, summary, body, **fields)


SERVICE_HALL = DemoCenter(
    code="HHD-ZW",
    slug="zhengwu",
    kind="service_hall",
    title="海河东区政务服务中心",
    alternate_name="区政务服务大厅",
    intro=(
        "区级综合政务服务场所，共三层，设综合受理区、社会事务区、人社医保区、公安户政区、"
        "住房公积金区和24小时自助服务区，实行“一窗受理、集成服务”。"
    ),
    rooms=[
        DemoRoom("综合受理区", "一楼", 80, 420, "“一窗受理”综合窗口，叫号办理"),
        DemoRoom("社会事务区", "一楼", 40, 180, "民政、残联、退役军人事务等窗口"),
        DemoRoom("24小时自助服务区", "一楼", 20, 60, "自助打印、自助查询，全天开放"),
        DemoRoom("人社医保区", "二楼", 60, 300, "就业、社保、医保窗口"),
        DemoRoom("公安户政区", "二楼", 40, 200, "户籍、居住证、身份证窗口"),
        DemoRoom("住房公积金区", "三楼", 30, 160, "公积金缴存、提取、贷款窗口"),
        DemoRoom("会议室", "三楼", 40, 80, "政策宣讲、业务培训"),
    ],
    notices=[
        _notice(
            "2026-saturday-service",
            "区政务服务中心周六延时服务安排",
            date(2026, 11, 2),
            "每周六上午9:00至12:00开放综合受理窗口。",
            "为方便上班族办事，区政务服务中心每周六上午9:00至12:00提供延时服务，"
            "开放综合受理、社会保障和户政窗口。",
            "如遇法定节假日调整，以中心公告为准。咨询电话：022-2600-1000。",
        ),
        _notice(
            "2026-green-channel",
            "老年人、残疾人办事“绿色通道”服务指引",
            date(2026, 10, 18),
            "年满60周岁的老年人和残疾人可优先办理。",
            "年满60周岁的老年人、持证残疾人、孕妇可在一楼导服台领取优先号，由专人陪同办理。",
            "导服台可借用轮椅、老花镜和助听放大器。",
        ),
    ],
)


CHUNHUA = DemoStreet(
    slug="chunhua",
    title="春华街道",
    intro="春华街道位于海河东区西部，下辖海棠苑、春晖里、锦绣园三个社区。",
    notices=[
        _notice(
            "2026-winter-heating",
            "春华街道2026—2027年度供热期便民服务安排",
            date(2026, 11, 10),
            "供热期内设立供热问题受理专线。",
            "本年度供热期自11月15日起。街道党群服务中心设立供热问题受理窗口，"
            "居民可在工作时间到一楼便民服务大厅反映，也可拨打022-2611-0000。",
        ),
        _notice(
            "2026-volunteer-recruit",
            "春华街道招募冬季助老志愿者",
            date(2026, 10, 28),
            "面向辖区居民招募助老志愿者50名。",
            "街道新时代文明实践所招募冬季助老志愿者，参与独居老人探访、助餐送餐等服务。",
            "报名请到所在社区党群服务中心登记，服务时长计入志愿服务积分。",
        ),
    ],
    centers=[
        DemoCenter(
            code="HHD-CH",
            slug="zhongxin",
            kind="street",
            title="春华街道党群服务中心",
            alternate_name="春华街道便民服务中心",
            intro=(
                "春华街道综合性党群服务阵地，建筑面积约1600平方米。一楼为便民服务大厅和长者食堂，"
                "二楼设党员活动室、多功能厅、心理咨询室和图书室，三楼为养老服务综合体和日间照料区。"
            ),
            households=18640,
            residents=45210,
            grids=42,
            rooms=[
                DemoRoom("便民服务大厅", "一楼", 60, 320, "政务服务事项就近办理"),
                DemoRoom("长者食堂", "一楼", 80, 260, "老年助餐，午餐11:00—12:30"),
                DemoRoom("党员活动室", "二楼", 40, 90, "党员学习、组织生活会"),
                DemoRoom("多功能厅", "二楼", 120, 200, "讲座、演出、议事协商"),
                DemoRoom("心理咨询室", "二楼", 4, 20, "预约制心理咨询"),
                DemoRoom("图书室", "二楼", 30, 110, "图书借阅、阅读分享"),
                DemoRoom("养老服务综合体", "三楼", 50, 400, "康复理疗、助浴、文娱"),
                DemoRoom("日间照料区", "三楼", 30, 180, "老年人日间托养"),
            ],
            notices=[
                _notice(
                    "2026-free-checkup",
                    "冬季老年人免费健康体检通知",
                    date(2026, 11, 12),
                    "11月下旬为辖区65岁以上老年人提供免费体检。",
                    "春华街道社区卫生服务中心将于11月24日至28日在三楼养老服务综合体为辖区65周岁以上"
                    "老年人提供免费健康体检，请携带身份证和医保卡，空腹参加。",
                    "行动不便的老年人可向所在社区预约上门服务。",
                ),
                _notice(
                    "2026-elder-canteen-menu",
                    "长者食堂十二月菜单及助餐补贴说明",
                    date(2026, 11, 20),
                    "十二月菜单已公布，80岁以上老人享受助餐补贴。",
                    "长者食堂每日供应两荤两素一汤，午餐时间11:00至12:30。",
                    "80周岁以上老年人、低保和特困老年人按规定享受助餐补贴，请持老年人优待证到食堂登记。",
                ),
                _notice(
                    "2026-library-hours",
                    "图书室周末开放时间调整",
                    date(2026, 10, 9),
                    "图书室周六、周日开放至16:00。",
                    "自10月起，二楼图书室周六、周日开放时间调整为9:00至16:00，欢迎居民借阅。",
                ),
            ],
        ),
        DemoCenter(
            code="HHD-CH-01",
            slug="haitangyuan",
            kind="community",
            title="海棠苑社区党群服务中心",
            intro="位于海棠苑小区东门，两层，设一站式服务窗口、妇女儿童之家、四点半课堂教室、健康服务角和居民议事厅。",
            households=4820,
            residents=11630,
            grids=12,
            rooms=[
                DemoRoom("一站式服务窗口", "一楼", 10, 60, "社区事务受理"),
                DemoRoom("健康服务角", "一楼", 8, 25, "血压血糖自测、健康咨询"),
                DemoRoom("妇女儿童之家", "二楼", 25, 70, "亲子活动、妇女议事"),
                DemoRoom("四点半课堂教室", "二楼", 30, 80, "放学后学业辅导"),
                DemoRoom("居民议事厅", "二楼", 40, 90, "居民议事协商"),
            ],
            notices=[
                _notice(
                    "2026-after-school",
                    "四点半课堂冬季学期报名通知",
                    date(2026, 11, 15),
                    "面向社区小学生，名额30个。",
                    "四点半课堂冬季学期于12月1日开课，周一至周五16:30至18:00，由志愿者辅导作业。",
                    "请家长携带户口簿或居住证到一站式服务窗口报名，额满为止。",
                ),
                _notice(
                    "2026-residents-council",
                    "关于召开居民议事会商议停车改造的通知",
                    date(2026, 11, 5),
                    "11月18日晚7点在居民议事厅召开。",
                    "社区定于11月18日19:00在二楼居民议事厅召开居民议事会，商议小区停车位改造方案。",
                    "欢迎居民代表和楼门长参加。",
                ),
            ],
        ),
        DemoCenter(
            code="HHD-CH-02",
            slug="chunhuili",
            kind="community",
            title="春晖里社区党群服务中心",
            intro=(
                "春晖里社区延时服务示范点，每天开放至晚8点。设“驿路有爱”服务站、社区助浴点、"
                "日间照料室、自助洗衣房、快递服务站和电动自行车集中充电棚。"
            ),
            households=5310,
            residents=12870,
            grids=14,
            rooms=[
                DemoRoom("“驿路有爱”服务站", "一楼", 12, 40, "骑手、快递员歇脚、充电、饮水"),
                DemoRoom("社区助浴点", "一楼", 4, 45, "老年人助浴，需预约"),
                DemoRoom("日间照料室", "一楼", 20, 120, "老年人日间托养"),
                DemoRoom("自助洗衣房", "一楼", 6, 20, "自助洗衣烘干"),
                DemoRoom("快递服务站", "一楼", 6, 30, "快递收寄"),
                DemoRoom("电动自行车集中充电棚", "室外", None, 150, "24小时智能充电"),
                DemoRoom("多功能活动室", "二楼", 60, 120, "讲座、健身、居民议事"),
                DemoRoom("书画室", "二楼", 20, 50, "书法、绘画、手工"),
            ],
            notices=[
                _notice(
                    "2026-bath-booking",
                    "社区助浴点恢复预约的通知",
                    date(2026, 11, 18),
                    "助浴点设备检修完成，即日起恢复预约。",
                    "社区助浴点设备检修已完成，即日起恢复预约服务，每周二、四、六开放。",
                    "请提前一天拨打022-2611-0202预约。",
                ),
                _notice(
                    "2026-rider-station",
                    "“驿路有爱”服务站冬季暖心服务上线",
                    date(2026, 11, 8),
                    "为骑手、快递员提供热水、姜茶和手机充电。",
                    "入冬后，“驿路有爱”服务站每天8:00至20:00为外卖骑手、快递员、网约车司机提供热水、"
                    "姜茶、手机充电和休息座椅。",
                ),
            ],
        ),
        DemoCenter(
            code="HHD-CH-03",
            slug="jinxiuyuan",
            kind="community",
            title="锦绣园社区党群服务中心",
            intro="锦绣园社区党群服务中心设一站式服务窗口、社区康复站、便民维修站、老年助餐点和法律服务室，中心东侧为托育园独立出入口。",
            households=4150,
            residents=9980,
            grids=10,
            rooms=[
                DemoRoom("一站式服务窗口", "一楼", 10, 50, "社区事务受理"),
                DemoRoom("社区康复站", "一楼", 12, 80, "康复训练、器械借用"),
                DemoRoom("老年助餐点", "一楼", 40, 110, "老年人午餐"),
                DemoRoom("便民维修站", "一楼", 6, 30, "家电、自行车维修"),
                DemoRoom("法律服务室", "二楼", 6, 25, "律师值班、法律咨询"),
                DemoRoom("托育园", "一楼东侧", 30, 200, "独立出入口"),
                DemoRoom("多功能厅", "二楼", 60, 110, "讲座、议事协商、文体活动"),
                DemoRoom("四点半课堂教室", "二楼", 30, 60, "放学后学业辅导"),
            ],
            notices=[
                _notice(
                    "2026-lawyer-duty",
                    "十二月社区律师值班表",
                    date(2026, 11, 19),
                    "每周三下午律师在法律服务室值班。",
                    "十二月每周三14:00至17:00，社区法律顾问在二楼法律服务室值班，提供免费法律咨询。",
                ),
                _notice(
                    "2026-repair-day",
                    "便民维修日活动预告",
                    date(2026, 10, 25),
                    "11月每周六上午免费小家电维修。",
                    "便民维修站联合志愿者每周六9:00至12:00开展小家电义务维修，更换零配件按成本收费。",
                ),
            ],
        ),
    ],
)


XIANGYANG = DemoStreet(
    slug="xiangyang",
    title="向阳街道",
    intro="向阳街道位于海河东区东部，下辖向阳新村、朝霞里、东湖湾三个社区。",
    notices=[
        _notice(
            "2026-anti-fraud",
            "向阳街道开展防范养老诈骗宣传月活动",
            date(2026, 11, 14),
            "11月在各社区开展防诈骗讲座。",
            "街道联合派出所在11月开展防范养老诈骗宣传月活动，各社区党群服务中心将举办专题讲座。",
        ),
    ],
    centers=[
        DemoCenter(
            code="HHD-XY",
            slug="zhongxin",
            kind="street",
            title="向阳街道党群服务中心",
            intro=(
                "向阳街道党群服务中心实行全周开放，一楼为便民服务大厅、长者食堂和“驿路有爱”服务站，"
                "二楼为多功能厅、舞蹈排练室、残疾人康复室和爱心超市，三楼为培训教室。"
            ),
            households=21380,
            residents=52640,
            grids=48,
            rooms=[
                DemoRoom("便民服务大厅", "一楼", 60, 300, "政务服务事项就近办理"),
                DemoRoom("长者食堂", "一楼", 70, 220, "老年助餐"),
                DemoRoom("“驿路有爱”服务站", "一楼", 10, 35, "新就业群体休息驿站"),
                DemoRoom("多功能厅", "二楼", 150, 260, "讲座、演出、议事协商"),
                DemoRoom("舞蹈排练室", "二楼", 30, 120, "文体团队排练"),
                DemoRoom("残疾人康复室", "二楼", 12, 90, "康复训练"),
                DemoRoom("爱心超市", "二楼", 10, 60, "积分兑换"),
                DemoRoom("培训教室", "三楼", 50, 110, "技能培训、老年大学"),
            ],
            notices=[
                _notice(
                    "2026-skills-training",
                    "冬季职业技能培训报名开始",
                    date(2026, 11, 16),
                    "面向失业人员和新就业群体，免费参加。",
                    "街道在三楼培训教室开设育婴员、养老护理员、电工三个免费培训班，12月初开班。",
                    "请携带身份证到一楼便民服务大厅报名。",
                ),
                _notice(
                    "2026-points-exchange",
                    "爱心超市积分兑换日安排",
                    date(2026, 11, 1),
                    "每月第一个周六为积分兑换日。",
                    "志愿服务积分可在每月第一个周六到二楼爱心超市兑换生活用品。",
                ),
                # Urgent (停水停电): a banner on the center's pages until it expires. This
                # center offers the most services, so the page sweeps sample it.
                _notice(
                    "power-outage",
                    "向阳里片区电力线路检修临时停电通知",
                    date(2026, 12, 1),
                    "检修期间中心及周边小区白天停电，窗口改为人工受理。",
                    "供电公司将对向阳里片区电力线路进行检修，检修期间每日8:00至17:00，"
                    "向阳街道党群服务中心及周边小区停电，中心电梯和自助服务设备暂停使用，"
                    "便民服务大厅窗口改为人工受理。",
                    "请居民提前做好准备；使用家用医疗设备的居民如需帮助，请联系所在社区。",
                    category="tingshui-tingdian",
                    days_ago=1,
                    expires_in_days=3,
                ),
            ],
        ),
        DemoCenter(
            code="HHD-XY-01",
            slug="xiangyangxincun",
            kind="community",
            title="向阳新村社区党群服务中心",
            intro="向阳新村社区党群服务中心设一站式服务窗口、课后托管教室、妇女儿童之家、文体活动室和快递服务站，工作日延时至18:30。",
            households=6020,
            residents=14350,
            grids=15,
            rooms=[
                DemoRoom("一站式服务窗口", "一楼", 10, 55, "社区事务受理"),
                DemoRoom("快递服务站", "一楼", 6, 30, "快递收寄"),
                DemoRoom("课后托管教室", "二楼", 35, 90, "小学生课后托管"),
                DemoRoom("妇女儿童之家", "二楼", 25, 70, "亲子活动"),
                DemoRoom("文体活动室", "二楼", 40, 120, "书法、合唱、乒乓球"),
            ],
            notices=[
                _notice(
                    "2026-choir",
                    "社区合唱团招新",
                    date(2026, 11, 11),
                    "每周四下午在文体活动室排练。",
                    "社区合唱团面向全体居民招新，每周四14:30至16:30在二楼文体活动室排练。",
                ),
                _notice(
                    "2026-after-school-care",
                    "课后托管服务缴费说明",
                    date(2026, 10, 30),
                    "托管服务为低偿服务，困难家庭免费。",
                    "课后托管服务按低偿标准收费，低保家庭、残疾人家庭子女免收费用，请持相关证明到窗口办理。",
                ),
            ],
        ),
        DemoCenter(
            code="HHD-XY-02",
            slug="zhaoxiali",
            kind="community",
            title="朝霞里社区党群服务中心",
            intro="朝霞里社区党群服务中心位于小区3号楼底层，设一站式服务窗口、普惠托育点、心理咨询室、环保回收点和健康小屋。",
            households=3960,
            residents=9420,
            grids=9,
            rooms=[
                DemoRoom("一站式服务窗口", "一楼", 10, 50, "社区事务受理"),
                DemoRoom("普惠托育点", "一楼", 20, 150, "1—3岁婴幼儿托育"),
                DemoRoom("心理咨询室", "一楼", 4, 18, "预约制心理咨询"),
                DemoRoom("健康小屋", "一楼", 8, 25, "健康自测"),
                DemoRoom("环保回收点", "室外", None, 20, "可回收物、旧衣物回收"),
                DemoRoom("多功能厅", "二楼", 50, 100, "讲座、议事协商、文体活动"),
                DemoRoom("书画室", "二楼", 20, 45, "书法、剪纸、手工"),
            ],
            notices=[
                _notice(
                    "2026-recycling",
                    "旧衣物回收日通知",
                    date(2026, 11, 13),
                    "11月21日上午在环保回收点集中回收。",
                    "社区将于11月21日9:00至11:30在环保回收点集中回收旧衣物，可兑换环保积分。",
                ),
                _notice(
                    "2026-childcare-openings",
                    "普惠托育点冬季插班名额公告",
                    date(2026, 11, 3),
                    "现有插班名额5个。",
                    "普惠托育点现有1—3岁婴幼儿插班名额5个，请家长携带儿童预防接种证到窗口登记。",
                ),
            ],
        ),
        DemoCenter(
            code="HHD-XY-03",
            slug="donghuwan",
            kind="community",
            title="东湖湾社区党群服务中心",
            intro="东湖湾社区党群服务中心周一至周六开放，设一站式服务窗口、户外劳动者服务站、日间照料室、图书流通点和文体活动室。",
            households=5240,
            residents=12760,
            grids=13,
            rooms=[
                DemoRoom("一站式服务窗口", "一楼", 10, 55, "社区事务受理"),
                DemoRoom("户外劳动者服务站", "一楼", 10, 35, "环卫工人、快递员歇脚"),
                DemoRoom("日间照料室", "一楼", 20, 110, "老年人日间托养"),
                DemoRoom("图书流通点", "二楼", 20, 50, "区图书馆通借通还"),
                DemoRoom("文体活动室", "二楼", 40, 120, "健身、棋牌、舞蹈"),
                DemoRoom("会议室", "二楼", 24, 40, "居民议事、小型培训"),
            ],
            notices=[
                _notice(
                    "2026-day-care",
                    "日间照料室新增康复理疗项目",
                    date(2026, 11, 17),
                    "每周二、五上午提供康复理疗。",
                    "日间照料室每周二、周五上午新增康复理疗项目，由社区卫生服务站医生指导。",
                ),
                _notice(
                    "2026-library-exchange",
                    "图书流通点新书上架",
                    date(2026, 10, 22),
                    "新到图书300册。",
                    "区图书馆配送的300册新书已在二楼图书流通点上架，凭借书证可通借通还。",
                ),
            ],
        ),
    ],
)

STREETS = [CHUNHUA, XIANGYANG]
ALL_CENTERS = [SERVICE_HALL, *(center for street in STREETS for center in street.centers)]
