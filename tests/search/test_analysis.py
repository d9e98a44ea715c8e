"""Text analysis (search/analysis.py): what a resident types becomes the words the index
holds, whichever way it was typed."""

import pytest

from search.analysis import (
    TermSet,
    TopicLead,
    analyse,
    analyse_query,
    fold,
    highlight_spans,
    pinyin_highlight_terms,
    pinyin_tokens,
    synonym_index,
    topic_token,
)
from search.query import Mode, groups_for

SYNONYMS = synonym_index([["低保", "最低生活保障"], ["老年证", "老年人优待证"], ["修", "维修"]])


def words_of(query: str) -> list[str]:
    return [group.word for group in analyse_query(query, SYNONYMS).groups]


def test_traditional_and_full_width_fold_to_simplified_half_width():
    assert fold("老年人優待證") == "老年人优待证"
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("辦低保") == "办低保"


def test_search_mode_indexes_long_words_and_the_words_inside_them():
    tokens = analyse("老年人优待证办理")
    assert {"老年", "老年人", "优待证", "办理"} <= set(tokens)


def test_domain_dictionary_keeps_residents_words_whole():
    # Without the domain dictionary jieba cuts these into single characters.
    assert "老年证" in analyse("老年证")
    assert "义诊" in analyse("专家进社区义诊")
    assert "助浴" in analyse("社区助浴点助浴服务")


def test_pinyin_tokens_give_full_pinyin_and_initials_of_words_and_whole_names():
    tokens = pinyin_tokens(["专家进社区义诊", "老年证"])
    assert {"yizhen", "yz", "laonianzheng", "lnz", "zhuanjiajinshequyizhen"} <= set(tokens)


def test_punctuation_and_query_syntax_are_not_words():
    assert words_of('"AND* OR ^ ( ) : -') == ["and", "or"]
    assert words_of("😀🎉") == []
    assert analyse_query("   ", SYNONYMS).is_empty


def test_filler_words_are_dropped_unless_nothing_else_is_left():
    assert words_of("我想办低保") == ["低保"]
    assert words_of("怎么办理") != []


def test_synonyms_found_in_the_text_even_where_jieba_would_cut_differently():
    query = analyse_query("办低保", SYNONYMS)
    (group,) = query.groups
    assert group.word == "低保"
    assert {alt.tokens for alt in group.alternatives} >= {("低保",)}
    # The official name is one alternative made of its words, all required.
    assert any(len(alt.tokens) > 1 and "保障" in alt.tokens for alt in group.alternatives)
    assert "最低生活保障" in query.highlight_terms()


def test_a_need_leads_to_its_topic_as_one_token_not_as_the_words_of_its_name():
    synonyms = synonym_index(
        [TermSet(("水管漏了", "补漏"), (TopicLead("便民生活", "daily_life"),))]
    )
    (group,) = analyse_query("水管漏了", synonyms).groups
    tokens = [alternative.tokens for alternative in group.alternatives]
    assert ("topicdailylife",) in tokens
    assert ("便民", "生活") not in tokens
    assert "便民生活" in group.surface  # still what the resident is shown it was read as
    assert topic_token("daily_life") == "topicdailylife"
    # One way: the topic's name brings neither the need's words nor the token in.
    typed = analyse_query("便民生活", synonyms).groups
    assert {token for g in typed for alt in g.alternatives for token in alt.tokens} <= {
        "便民",
        "生活",
    }


def test_traditional_query_meets_simplified_synonyms():
    (group,) = analyse_query("老年證", SYNONYMS).groups
    assert group.word == "老年证"
    assert "老年人优待证" in group.surface


def test_latin_letters_are_words_and_pinyin_prefixes():
    (group,) = analyse_query("YZ", SYNONYMS).groups
    assert group.word == "yz"
    assert any(alt.pinyin and alt.prefix for alt in group.alternatives)


def test_chinese_with_pinyin_in_one_run_is_read_as_pinyin():
    (group,) = analyse_query("社保ka", SYNONYMS).groups
    assert any(
        alt.tokens == ("shebaoka",) and alt.prefix and alt.pinyin for alt in group.alternatives
    )
    assert words_of("65岁体检")[0] == "65"
    assert words_of("社保 ka") == ["社保", "ka"]  # separate words stay separate


def test_a_lone_character_without_synonyms_is_optional_in_the_core_match():
    query = analyse_query("65岁体检", SYNONYMS)
    core = [group.word for group in groups_for(query, Mode.CORE)]
    assert "岁" not in core and "体检" in core
    assert "岁" in [group.word for group in groups_for(query, Mode.STRICT)]
    # 修 has synonyms, so it stays required.
    assert "修" in [
        group.word for group in groups_for(analyse_query("修水管", SYNONYMS), Mode.CORE)
    ]


def test_homophone_reading_turns_chinese_words_into_their_pinyin():
    query = analyse_query("老年正", SYNONYMS)
    alternatives = [alt for group in query.homophone_groups() for alt in group.alternatives]
    assert any(
        alt.pinyin and "".join(alt.tokens) in {"laonian", "zheng", "laonianzheng"}
        for alt in alternatives
    )


def test_a_very_long_query_is_cut_and_says_so():
    query = analyse_query("老年证" * 200, SYNONYMS)
    assert query.truncated
    assert len(query.folded) <= 100


@pytest.mark.parametrize(
    ("text", "terms", "marked"),
    [
        ("老年人优待证办理", ["优待证"], ["优待证"]),
        ("老年人優待證辦理", ["优待证"], ["優待證"]),  # traditional text, simplified term
        ("为老年人办理老年证", ["老年", "老年证"], ["老年", "老年证"]),
    ],
)
def test_highlight_spans_mark_the_matched_words(text, terms, marked):
    spans = highlight_spans(text, terms)
    assert [text[start:end] for start, end in spans] == marked


def test_pinyin_typed_highlights_the_words_it_spells():
    assert pinyin_highlight_terms("专家进社区义诊", "yz") == ["义诊"]
    assert pinyin_highlight_terms("专家进社区义诊", "yizhen") == ["义诊"]


# Needs said in a resident's own words ----------------------------------------------------

NEEDS = synonym_index(
    [
        TermSet(("洗被子", "自助洗衣"), (TopicLead("便民生活", "daily_life"),)),
        TermSet(("失业了", "失业登记"), (TopicLead("就业", "employment"),)),
        TermSet(("家里东西太多", "收纳整理"), (TopicLead("便民生活", "daily_life"),)),
        TermSet(("帮忙买东西", "跑腿"), (TopicLead("养老", "elderly_care"),)),
        TermSet(("学急救", "急救培训"), (TopicLead("医疗健康", "health"),)),
        ["老人", "老年人"],
        ["医保卡", "社会保障卡"],
    ],
    who=["老年人", "儿童青少年", "困难群众"],
)


def alternatives_in(query: str, mode: Mode) -> set[tuple[str, ...]]:
    groups = groups_for(analyse_query(query, NEEDS), mode)
    return {alt.tokens for group in groups for alt in group.alternatives}


def test_a_need_said_in_other_order_finds_what_the_need_finds_when_the_words_do_not():
    # 洗被子 is not in 被子太大家里洗不了, but both its words are.
    assert ("自助", "洗衣") in alternatives_in("被子太大家里洗不了", Mode.RELAXED)
    assert ("自助", "洗衣") in alternatives_in("被子太大家里洗不了", Mode.CORE)
    # Its words, not its whole topic: they say which of the topic's services answers it.
    assert (topic_token("daily_life"),) not in alternatives_in("被子太大家里洗不了", Mode.RELAXED)
    # As typed, the query's own words are matched first.
    assert ("自助", "洗衣") not in alternatives_in("被子太大家里洗不了", Mode.STRICT)


def test_a_word_that_finds_its_service_is_not_diluted_by_a_need_that_holds_it():
    assert alternatives_in("失业", Mode.STRICT) == {("失业",)}


def test_one_word_many_needs_share_does_not_say_which_need():
    # 东西 is in needs of two topics: 东西都烧没了 is neither untidiness nor errands.
    assert ("收纳", "整理") not in alternatives_in("东西都烧没了", Mode.RELAXED)
    assert ("跑腿",) not in alternatives_in("东西都烧没了", Mode.RELAXED)


def test_who_the_need_concerns_counts_only_beside_what_it_is():
    groups = analyse_query("老人噎住了学急救", NEEDS).groups
    assert [group.word for group in groups if group.weak] == ["老人"]
    relaxed = groups_for(analyse_query("老人噎住了学急救", NEEDS), Mode.RELAXED)
    for group in relaxed:
        for alt in group.alternatives:
            if "老人" in alt.tokens or "老年人" in alt.tokens:
                assert len(alt.tokens) > 1, alt
    # 困难 of 困难群众 says what the need is, not whom it concerns.
    assert not any(group.weak for group in analyse_query("困难", NEEDS).groups)
    # A query of who-words only is matched as it is.
    assert alternatives_in("老人", Mode.RELAXED) == {("老人",), ("老年人",)}


def test_pinyin_and_initials_of_a_synonym_find_what_the_synonym_finds():
    assert ("医保卡",) in alternatives_in("ybk", Mode.STRICT)
    assert ("社会保障", "卡") in alternatives_in("yibaoka", Mode.STRICT) or (
        "社会保障卡",
    ) in alternatives_in("yibaoka", Mode.STRICT)
    # Two letters are too short to stand for a word.
    assert alternatives_in("yb", Mode.STRICT) == {("yb",)}


def test_pinyin_typed_with_tone_marks_or_numbers_reads_as_plain_pinyin():
    assert fold("Yī bǎo kǎ") == "yi bao ka"
    assert fold("lǜ") == "lv"  # as pypinyin spells 绿
    assert words_of("yi1bao3ka3") == ["yibaoka"]
    assert ("医保卡",) in alternatives_in("yi1bao3ka3", Mode.STRICT)
    # A code with one digit is not pinyin with tones.
    assert words_of("a1") == ["a", "1"]


def test_a_short_synonym_does_not_cut_a_word_the_resident_said_apart():
    synonyms = synonym_index([["没电", "停电"], ["装", "安装"], ["修", "维修"], ["水管", "管道"]])

    def cut(query):
        return [group.word for group in analyse_query(query, synonyms).groups]

    # 没电梯 is 没 + 电梯 (no lift), not 没电 + a lone 梯 that finds nothing.
    assert "电梯" in cut("住六楼没电梯") and "没电" not in cut("住六楼没电梯")
    # A lone 装 does not cut 桶装水 either.
    assert "桶装水" in cut("订桶装水")
    # A term whose leftover is a word of its own is found as before (修 + 水管).
    assert cut("修水管") == ["修", "水管"]
    # Alone, the term is still found.
    assert cut("家里没电了") == ["没电"]


def test_a_longer_synonym_is_found_across_jiebas_cut():
    # jieba cuts 最近压力大老想哭 as 压力 / 大老想 / 哭: the editor's phrase wins.
    synonyms = synonym_index([["压力大", "焦虑"]])
    assert "压力大" in [g.word for g in analyse_query("最近压力大老想哭", synonyms).groups]


def test_an_unknown_compound_also_matches_the_words_inside_it():
    (group,) = analyse_query("救助金", SYNONYMS).groups
    tokens = {alt.tokens for alt in group.alternatives}
    assert ("救助金",) in tokens and ("救助",) in tokens
    # A word a synonym set holds is matched through its set only.
    (known,) = analyse_query("老年证", SYNONYMS).groups
    assert ("老年",) not in {alt.tokens for alt in known.alternatives}
    # Two characters are a word already, not a compound.
    (short,) = analyse_query("救助", SYNONYMS).groups
    assert {alt.tokens for alt in short.alternatives} == {("救助",)}


def test_initials_or_pinyin_of_two_words_typed_as_one_match_both_words():
    (group,) = analyse_query("gjjtq", SYNONYMS).groups
    split = {alt.tokens for alt in group.alternatives if alt.pinyin and len(alt.tokens) == 2}
    assert ("gjj", "tq") in split
    # Short letters are read as typed.
    (short,) = analyse_query("tq", SYNONYMS).groups
    assert all(len(alt.tokens) == 1 for alt in short.alternatives)


def test_a_word_few_needs_use_says_the_need_though_the_rest_is_said_otherwise():
    lead = (TopicLead("社会救助", "social_assistance"),)
    party = (TopicLead("党建", "party_building"),)
    synonyms = synonym_index(
        [
            TermSet(("父母坐牢", "事实无人抚养"), lead),
            TermSet(("党员报到", "在职党员"), party),
            TermSet(("党员活动", "主题党日"), party),
            TermSet(("党员学习", "党课"), party),
        ]
    )

    def lent(query):
        groups = groups_for(analyse_query(query, synonyms), Mode.RELAXED)
        return {alt.tokens for group in groups for alt in group.alternatives}

    # 爸妈, not 父母: 坐牢 alone, which no other need uses, says it.
    assert ("事实", "无人", "抚养") in lent("孩子爸妈都在坐牢") or ("事实无人抚养",) in lent(
        "孩子爸妈都在坐牢"
    )
    # 党员 is a word of many needs: alone it says none of them.
    assert not {("主题", "党日"), ("主题党日",), ("党课",)} & lent("换了单位党员关系怎么转")
