"""How the catalog's schedule notes used to say what a row does on public holidays, read
once by the migrations that turned them into structured fields (``closed_on_holidays``,
``open_on_makeup_workdays``). Nothing reads notes at run time any more."""

RESTS_MARKER = "节假日休息"  # 法定节假日休息，调休工作日正常办公。


def holiday_flags_from_notes(notes: str) -> dict[str, bool]:
    """The structured flags a legacy note meant: resting on holidays went with opening on
    make-up workdays (the weekday rows); 照常开放 or anything else meant neither."""
    rests = RESTS_MARKER in (notes or "")
    return {"closed_on_holidays": rests, "open_on_makeup_workdays": rests}
