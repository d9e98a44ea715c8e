// An activity's admin form shows only the schedule controls the chosen 重复 needs
// (without script all stay shown).
document.addEventListener("DOMContentLoaded", () => {
  const freqInput = document.querySelector('input[name="freq"]');
  if (!freqInput) return;
  const form = freqInput.form;
  const wrapperOf = (name) => {
    const input = form.querySelector(`[name="${name}"]`);
    // The field's own panel wrapper holds its label too.
    return input ? input.closest(".w-panel__wrapper") || input.closest("[data-field-wrapper]") : null;
  };
  const checked = (name) => {
    const input = form.querySelector(`[name="${name}"]:checked`);
    return input ? input.value : "";
  };
  const show = (names, visible) => {
    names.forEach((name) => {
      const wrapper = wrapperOf(name);
      if (wrapper) wrapper.style.display = visible ? "" : "none";
    });
  };
  const update = () => {
    const freq = checked("freq");
    const monthly = freq === "MONTHLY";
    const byMonthday = checked("monthly_by") === "monthday";
    show(["interval", "until", "count", "skip_holidays"], freq !== "");
    show(["weekdays", "runs_on_makeup_workdays"], freq === "WEEKLY");
    show(["monthly_by"], monthly);
    show(["month_ordinals", "month_weekday"], monthly && !byMonthday);
    show(["bymonthday"], monthly && byMonthday);
    const allDay = form.querySelector('[name="all_day"]');
    show(["start_time", "end_time"], !(allDay && allDay.checked));
  };
  form.addEventListener("change", (event) => {
    if (["freq", "monthly_by", "all_day"].includes(event.target.name)) update();
  });
  update();
});
