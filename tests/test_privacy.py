"""Residents' numbers: finding them (the disclosures' guard), masking them, masking names."""

from jiamenkou.privacy import (
    find_personal_numbers,
    is_resident_id,
    mask_name,
    mask_personal_numbers,
    normalize_mobile,
)

# A valid resident ID number (GB 11643 check digit) and the same with a wrong last digit.
ID = "11010119900307109X"
WRONG = "110101199003071091"


def test_the_check_digit_and_the_birth_date_decide_what_is_an_id_number():
    assert is_resident_id(ID) and is_resident_id(ID.lower())
    assert not is_resident_id(WRONG)
    # Right check digits, but born before 1900 or in month 13.
    assert not is_resident_id("110101189912310001")
    assert not is_resident_id("110101202613310005")


def test_found_numbers_come_masked_in_the_order_of_the_text():
    found = find_personal_numbers(f"手机 13800138000，身份证 {ID}")
    assert [(f.kind, f.masked) for f in found] == [
        ("mobile", "138****8000"),
        ("id", "110101********109X"),
    ]


def test_numbers_inside_longer_digit_runs_are_not_found():
    assert find_personal_numbers("账号 6222021001123456789012") == []
    assert find_personal_numbers(f"9{ID}") == []


def test_masking_is_unchanged():
    assert mask_personal_numbers("138 0013 8000") == "138****8000"
    assert mask_personal_numbers(f"证号{ID}") == "证号110101********109X"
    assert normalize_mobile("+86 138-0013-8000") == "13800138000"


def test_mask_name():
    assert [mask_name(n) for n in ("张明", "张晓明", "欧阳晓明", "明", "")] == [
        "张*",
        "张*明",
        "欧**明",
        "明",
        "",
    ]
    assert mask_name("Li Hua") == "L* ***"


def test_digits_inside_ids_hashes_and_file_names_are_not_phone_numbers():
    # A UUID's or an upload's hex and an alphanumeric code hold eleven digits that look
    # like a mobile number: the guard must not block a posting for them, nor mask them.
    link = "附件：/media/docs/9f3ab13912345678cde0a4b1e2f3c4d5.pdf"
    code = "编号 A7B13812345678X2"
    hashed = "13912345678cde0a4b1e2f3c4d5.jpg"
    for text in (link, code, hashed):
        assert find_personal_numbers(text) == []
        assert mask_personal_numbers(text) == text


def test_a_number_with_letters_before_or_an_extension_after_it_is_still_masked():
    assert mask_personal_numbers("tel13800138000") == "tel138****8000"
    assert mask_personal_numbers("13800138000x12") == "138****8000x12"
    assert mask_personal_numbers("Tel:13800138000，微信同号") == "Tel:138****8000，微信同号"
    assert [f.masked for f in find_personal_numbers("联系人王阿姨13800138000")] == ["138****8000"]
