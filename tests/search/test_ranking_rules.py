"""General ranking rules on the demo catalog, as residents notice them: the service that
answers a need said in everyday words comes first."""

from catalog.models import Service
from search.catalog import ranked_service_ids, search_catalog
from tests.search.base import DemoCatalogTestCase
from tests.search.helpers import names


def before(found: list[str], first: str, second: str) -> bool:
    """Whether ``first`` is found and ranks above ``second`` (or ``second`` is not found)."""
    return first in found and (second not in found or found.index(first) < found.index(second))


class AudienceTests(DemoCatalogTestCase):
    """A service only for children or mothers does not come first for a need that names
    neither, when a service open to all answers it too."""

    def test_an_adults_worry_finds_the_counselling_open_to_all_before_the_youths(self):
        for query in ("最近压力大老想哭", "心里憋屈整宿睡不着，想找个人说说"):
            with self.subTest(query=query):
                self.assertTrue(
                    before(names(query), "社区心理健康咨询", "青少年心理成长辅导"), names(query)
                )

    def test_the_api_ranks_the_same_way(self):
        ids = ranked_service_ids("最近压力大老想哭", 10)
        found = list(Service.objects.filter(pk__in=ids).values_list("pk", "name"))
        by_id = {str(pk): name for pk, name in found}
        ranked = [by_id[pk] for pk in ids if pk in by_id]
        self.assertTrue(before(ranked, "社区心理健康咨询", "青少年心理成长辅导"), ranked)

    def test_a_query_naming_a_child_keeps_the_childrens_service_first(self):
        self.assertEqual(names("孩子厌学不想上学")[0], "青少年心理成长辅导")

    def test_a_query_about_a_childrens_thing_keeps_the_childrens_services(self):
        self.assertIn(names("托育")[0], ("普惠托育（全日托）", "婴幼儿全日托育"))


class MixedScriptTests(DemoCatalogTestCase):
    """Pinyin typed for a character inside Chinese is read as the word it spells."""

    def test_a_character_of_two_readings_is_read_the_way_the_word_has_it(self):
        # 调 alone reads diao; in 空调 it is tiao.
        self.assertEqual(names("kong调清洗")[0], "空调低偿清洗")

    def test_a_pinyin_word_after_chinese_is_the_word_it_spells(self):
        self.assertIn("残疾人辅助器具适配申请", names("残疾人fuju")[:3])


def shown(query: str) -> tuple[str, list[str]]:
    result, _ = search_catalog({"q": query}, log=False)
    return result.corrected_query, [hit.service.name for hit in result.hits]


class SlipTests(DemoCatalogTestCase):
    """A slip of one character or one letter of pinyin is corrected to what was meant."""

    def test_a_character_of_the_same_sound(self):
        corrected, found = shown("老人助参")
        self.assertEqual(corrected, "老人助餐")
        self.assertIn("助餐", found[0])

    def test_of_words_as_close_by_spelling_the_one_closest_by_sound(self):
        corrected, found = shown("托老素")
        self.assertEqual(corrected, "托老所")
        self.assertEqual(found[0], "老年人日间照料服务")

    def test_a_character_whose_pinyin_is_one_vowel_off(self):
        self.assertEqual(shown("月艘"), ("月嫂", ["母婴护理服务"]))

    def test_pinyin_with_a_letter_missing_or_swapped(self):
        self.assertEqual(shown("shiyjin")[1][0], "失业保险金申领")
        self.assertEqual(shown("yeusao"), ("月嫂", ["母婴护理服务"]))

    def test_what_is_found_as_typed_is_not_corrected(self):
        self.assertEqual(shown("月嫂"), ("", ["母婴护理服务"]))
        self.assertEqual(shown("yuesao")[0], "")


class LoneCharacterTests(DemoCatalogTestCase):
    """A lone character typed beside a need (换 of 换锁芯, 店 of 干洗店) does not bring in
    every service of the need's topic that happens to hold it."""

    def test_changing_a_lock_cylinder_finds_the_locksmith_first(self):
        for query in ("换锁芯", "換鎖芯"):
            with self.subTest(query=query):
                self.assertEqual(names(query)[0], "开锁换锁", names(query))

    def test_a_dry_cleaners_finds_the_laundry_service_first(self):
        self.assertEqual(names("干洗店")[0], "衣物洗涤熨烫", names("干洗店"))

    def test_a_lone_character_still_narrows_a_need_said_in_its_own_words(self):
        # 65岁体检: 岁 narrows nothing away; the free check-up for 65+ stays first.
        self.assertEqual(names("65岁体检")[0], "65周岁及以上老年人免费健康体检")


class PhraseSaidInOwnOrderTests(DemoCatalogTestCase):
    """A word that is part of a phrase another word of the query stands for, the phrase's
    words all said, is found wherever that phrase is."""

    def test_the_residents_insurance_for_seeing_a_doctor_finds_the_medical_insurance(self):
        # 居民保险 is also said 看病保险: 看病 need not be written in the service too.
        self.assertEqual(names("看病的居民保险")[0], "城乡居民基本医疗保险参保登记")

    def test_a_word_of_a_phrase_not_said_whole_still_narrows(self):
        # 房子 of 没房子住 (a way of saying 房租太贵): 没 and 住 are not said.
        found = names("房租太贵想申请便宜点的房子")
        self.assertEqual(set(found[:2]), {"住房租赁补贴申请", "公共租赁住房申请"}, found)


class NamedServiceFirstTests(DemoCatalogTestCase):
    """A service whose name or alternate name holds the whole query comes first, however
    the query's synonyms rank the others."""

    def test_a_slip_corrected_to_a_services_name_puts_that_service_first(self):
        for query in ("临时救助", "临时求助"):
            with self.subTest(query=query):
                self.assertEqual(names(query)[0], "临时救助申请", names(query))

    def test_the_name_residents_call_a_service_by_puts_it_first(self):
        # 小饭桌 is the after-school care's alternate name.
        self.assertEqual(names("小饭桌")[0], "小学生课后托管服务", names("小饭桌"))

    def test_the_api_ranks_the_same_way(self):
        ids = ranked_service_ids("临时求助", 10)
        self.assertEqual(Service.objects.get(pk=ids[0]).name, "临时救助申请")


class CoreReadingCorrectionTests(DemoCatalogTestCase):
    """A query found only once a word of it is dropped (零时 of 零时救助 reads as a function
    word) is corrected when the corrected reading matches every word."""

    def test_a_slip_read_as_a_function_word_is_corrected(self):
        corrected, found = shown("零时救助")
        self.assertEqual(corrected, "临时救助")
        self.assertEqual(found[0], "临时救助申请")

    def test_a_slip_in_a_services_name_is_corrected(self):
        corrected, found = shown("异地就依备案")
        self.assertEqual(corrected, "异地就医备案")
        self.assertEqual(found[0], "异地就医备案")

    def test_a_query_found_without_its_lone_character_is_not_corrected_to_another(self):
        corrected, found = shown("65岁体检")
        self.assertEqual((corrected, found[0]), ("", "65周岁及以上老年人免费健康体检"))


class EverydayWordTests(DemoCatalogTestCase):
    """A word said in any sentence (国家, 过来, 下来) does not on its own say a need that one
    or two of the editors' phrases hold (国家反诈中心, 照顾不过来): 国家给不给钱 asks for an
    allowance, not for the anti-fraud centre."""

    def test_asking_whether_the_state_pays_does_not_find_the_anti_fraud_advice(self):
        found = names("儿子一级残疾离不开人，国家给补贴不")
        self.assertNotIn("防范电信网络诈骗宣传咨询", found[:3], found)

    def test_an_old_man_of_eighty_five_finds_the_old_age_allowance_first(self):
        found = names("俺家老头子都八十五了，国家给不给钱")
        self.assertEqual(found[0], "高龄老年人津贴申领", found)
