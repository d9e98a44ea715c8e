"""The taxonomies the catalog ships with: service kinds, topics, audiences, channels,
service-guide fields and schedule rules, with the ids and wording of the district's HSDS
catalog. Data migrations load them; editors may add topics and audiences afterwards.

Standard library only: ``catalog/demo/structure_schedules.py`` reads it without Django."""

import uuid

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://www.haihedong.example.gov.cn/jiamenkou/hsds")
TAXONOMY_URI = "https://www.haihedong.example.gov.cn/jiamenkou/taxonomy/{name}"
VERSION = "1.0"


def taxonomy_id(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "taxonomy:" + name)


def term_id(taxonomy_name: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"taxonomy_term:{taxonomy_name}:{code}")


def attribute_id(owner_id, taxonomy_name: str, code: str) -> uuid.UUID:
    """An HSDS attribute's id, derived from the id of what it describes (a service, a
    schedule) as the district's catalog derives them."""
    return uuid.uuid5(uuid.UUID(str(owner_id)), f"attribute:{taxonomy_name}:{code}")


# name -> (description, [(code, term name, term description)]), in display order.
TAXONOMIES = {
    "jiamenkou-service-kind": (
        "服务类别。每项服务必须且只能属于政务服务、公益服务、市场服务、低偿服务四类之一。",
        [
            (
                "government",
                "政务服务",
                "由政府部门及其授权机构依法提供的行政许可、社会保障和公共服务事项，在区政务服务中心、街道或社区党群服务中心受理。",
            ),
            (
                "public_welfare",
                "公益服务",
                "由政府部门、群团组织、社会组织、医疗机构和志愿服务队伍等面向居民免费提供的公益性服务。",
            ),
            (
                "market",
                "市场服务",
                "由企业或个体工商户按市场价格提供、经党群服务中心引入或推荐的便民服务。",
            ),
            (
                "low_cost",
                "低偿服务",
                "收费标准低于同类市场价格的便民服务，收费标准与市场参考价一并公示。",
            ),
        ],
    ),
    "jiamenkou-topic": (
        "服务领域。一项服务可属于一个或多个领域，可由编辑维护。",
        [
            ("elderly_care", "养老", "老年人优待、养老保险、居家社区养老、助餐助浴、机构养老等。"),
            ("childcare", "托育", "婴幼儿照护、托育机构、课后看护和假期托管等。"),
            ("employment", "就业", "就业失业登记、职业介绍、技能培训、创业扶持和劳动者服务。"),
            ("health", "医疗健康", "医疗保障、基本公共卫生、家庭医生、健康咨询和康复。"),
            (
                "social_assistance",
                "社会救助",
                "最低生活保障、特困人员救助供养、临时救助、专项救助和困难帮扶。",
            ),
            ("disability", "助残", "残疾人证件、补贴、康复、辅助器具、托养和就业服务。"),
            ("legal", "法律", "法律咨询、法律援助、人民调解和普法宣传。"),
            ("culture_sports", "文体", "阅读、文艺、体育健身和兴趣学习。"),
            ("daily_life", "便民生活", "家政维修、洗衣快递、证照办理等日常生活服务。"),
            ("party_building", "党建", "党员组织关系、党员教育、志愿服务和党群活动。"),
            ("housing", "住房", "住房保障、租赁补贴、公积金、房屋修缮和适老化改造。"),
            ("education", "教育", "入学、教育资助、课程培训和家庭教育指导。"),
        ],
    ),
    "jiamenkou-audience": (
        "服务对象。一项服务可面向一个或多个群体。",
        [
            ("elderly", "老年人", "年满60周岁的老年人及其家庭。"),
            ("children_youth", "儿童青少年", "婴幼儿、儿童、中小学生及其家长。"),
            ("disabled", "残疾人", "持有残疾人证或有康复需求的居民及其家庭。"),
            (
                "new_employment",
                "新就业群体",
                "快递员、外卖送餐员、网约车驾驶员等新就业形态劳动者和户外劳动者。",
            ),
            ("low_income", "困难群众", "最低生活保障对象、特困人员、低收入家庭和临时遇困家庭。"),
            ("veterans", "退役军人", "退役军人和其他优抚对象。"),
            ("women", "妇女", "妇女，包括孕产妇。"),
            ("all_residents", "全体居民", "不限定特定群体，辖区居民均可使用。"),
        ],
    ),
    "jiamenkou-channel": (
        "办理渠道。网上办、指尖办的属性值为办理入口网址。",
        [
            ("window", "窗口办", "到服务窗口现场办理。"),
            (
                "online",
                "网上办",
                "通过津海市政务服务网或服务机构网站在线办理，属性值为办理入口网址。",
            ),
            ("mobile", "指尖办", "通过“津海通”手机应用办理，属性值为办理入口网址。"),
            ("nearby", "就近办", "可在社区党群服务中心就近办理，不必前往区级大厅。"),
            ("home_visit", "上门办", "工作人员或服务人员上门受理或上门服务。"),
            ("appointment", "预约办", "须提前电话、线上或现场预约。"),
        ],
    ),
    "jiamenkou-guide": (
        "办事指南字段。属性值保存字段内容。",
        [
            ("time_limit", "办理时限", "承诺办结时限，如“即办”“承诺15个工作日”。"),
            ("visits", "最多跑动次数", "申请人最多需要到现场的次数，属性值为整数字符串。"),
            ("legal_basis", "设定依据", "事项设立所依据的法律法规或政策文件。"),
            (
                "market_reference_price",
                "市场参考价",
                "低偿服务对应的同类市场价格，单位为人民币元，计价单位与主要收费项目相同。",
            ),
        ],
    ),
    "jiamenkou-schedule": (
        "时间安排的属性：常规开放时间如何对待法定节假日和调休上班日，以及特定日期的闭馆或"
        "特别开放时间（在生效日期至失效日期内取代常规开放时间）。不带属性的时间安排为常规开放时间。",
        [
            (
                "closed_on_holidays",
                "法定节假日休息",
                "按国务院公布的节假日安排，放假的日子不开放。",
            ),
            (
                "open_on_makeup_workdays",
                "调休上班日按工作日开放",
                "周末调休上班的日子，按周一至周五的时间开放。",
            ),
            (
                "closed",
                "特定日期闭馆",
                "在生效日期至失效日期内全天不开放，原因写在时间安排的说明中。",
            ),
            (
                "special_hours",
                "特定日期特别开放时间",
                "在生效日期至失效日期内只在本条的开始时间至结束时间开放，原因写在时间安排的说明中。",
            ),
        ],
    ),
}


def seed_taxonomies(taxonomy_model, term_model, names=None) -> None:
    """Create or update the shipped taxonomies (only ``names`` when given); models are
    passed so a migration can call it. Running it again changes nothing."""
    for name, (description, terms) in TAXONOMIES.items():
        if names is not None and name not in names:
            continue
        taxonomy, _ = taxonomy_model.objects.update_or_create(
            id=taxonomy_id(name),
            defaults={
                "name": name,
                "description": description,
                "uri": TAXONOMY_URI.format(name=name),
                "version": VERSION,
            },
        )
        for position, (code, term_name, term_description) in enumerate(terms):
            term_model.objects.update_or_create(
                id=term_id(name, code),
                defaults={
                    "taxonomy": taxonomy,
                    "code": code,
                    "name": term_name,
                    "description": term_description,
                    "language": "zh",
                    "sort_order": position,
                },
            )
