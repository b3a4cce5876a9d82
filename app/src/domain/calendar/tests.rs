use super::*;

/// An Eastern wall-clock time as UTC.
fn et(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    New_York.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn monday_to_thursday_eight_to_four_eastern_is_the_production_window() {
    let cal = Calendar::default();
    assert!(cal.check(et(2026, 11, 16, 8, 0)).is_empty(), "Monday 8:00");
    assert!(cal.check(et(2026, 11, 19, 15, 59)).is_empty(), "Thursday 15:59");
    assert_eq!(cal.check(et(2026, 11, 19, 16, 0)), vec![WindowWarning::OutsideProductionHours]);
    assert_eq!(cal.check(et(2026, 11, 17, 7, 59)), vec![WindowWarning::OutsideProductionHours]);
}

#[test]
fn the_window_follows_eastern_time_across_daylight_saving() {
    let cal = Calendar::default();
    // 13:00 UTC is 8:00 EST in winter but 9:00 EDT in summer: both inside.
    assert!(cal.check(Utc.with_ymd_and_hms(2026, 12, 1, 13, 0, 0).unwrap()).is_empty());
    assert!(cal.check(Utc.with_ymd_and_hms(2026, 7, 7, 12, 0, 0).unwrap()).is_empty(), "8:00 EDT");
    assert_eq!(
        cal.check(Utc.with_ymd_and_hms(2026, 12, 1, 12, 30, 0).unwrap()),
        vec![WindowWarning::OutsideProductionHours],
        "7:30 EST"
    );
}

#[test]
fn fridays_and_weekends_need_an_override() {
    let cal = Calendar::default();
    assert_eq!(cal.check(et(2026, 11, 20, 10, 0)), vec![WindowWarning::Friday]);
    assert_eq!(cal.check(et(2026, 11, 21, 10, 0)), vec![WindowWarning::Weekend]);
}

#[test]
fn holidays_the_day_before_them_and_freezes_need_an_override() {
    let cal = Calendar {
        holidays: vec![Holiday { date: date(2026, 11, 26), name: "Thanksgiving".into() }],
        freezes: vec![Freeze {
            name: "Open enrollment".into(),
            reason: "peak traffic".into(),
            from: date(2026, 12, 1),
            to: date(2026, 12, 3),
        }],
        maintenance_windows: vec![],
    };
    assert_eq!(cal.check(et(2026, 11, 26, 10, 0)), vec![WindowWarning::Holiday("Thanksgiving".into())]);
    assert_eq!(cal.check(et(2026, 11, 25, 10, 0)), vec![WindowWarning::BeforeHoliday("Thanksgiving".into())]);
    let w = cal.check(et(2026, 12, 3, 10, 0));
    assert_eq!(w, vec![WindowWarning::Freeze { name: "Open enrollment".into(), reason: "peak traffic".into() }]);
    assert!(w[0].message().contains("Open enrollment"));
    assert!(cal.check(et(2026, 12, 7, 10, 0)).is_empty(), "the Monday after the freeze");
}

#[test]
fn default_windows_fall_on_the_second_tuesday_at_8pm_eastern() {
    let w = monthly_windows(et(2026, 11, 1, 9, 0), 2);
    assert_eq!(w, vec![et(2026, 11, 10, 20, 0), et(2026, 12, 8, 20, 0)]);
    let over_new_year = monthly_windows(et(2026, 12, 20, 9, 0), 2);
    assert_eq!(over_new_year, vec![et(2026, 12, 8, 20, 0), et(2027, 1, 12, 20, 0)]);
}

#[test]
fn a_regular_change_goes_to_the_first_window_with_two_business_days_notice() {
    let cal =
        Calendar { maintenance_windows: vec![et(2026, 11, 24, 20, 0), et(2026, 12, 15, 20, 0)], ..Default::default() };
    assert_eq!(cal.next_maintenance_window(et(2026, 11, 20, 9, 0)), Some(et(2026, 11, 24, 20, 0)));
    assert_eq!(cal.next_maintenance_window(et(2026, 11, 23, 9, 0)), Some(et(2026, 12, 15, 20, 0)), "too little notice");
    assert_eq!(cal.next_maintenance_window(et(2026, 12, 20, 9, 0)), None, "no window scheduled yet");
}

#[test]
fn a_regular_change_leaves_the_hosting_queue_a_day_after_its_window_opens() {
    let now = et(2026, 12, 9, 21, 0);
    let since = regular_changes_queued_since(now);
    assert!(et(2026, 12, 8, 22, 0) >= since, "a window that opened 23 hours ago is still queued");
    assert!(et(2026, 12, 8, 20, 0) < since, "one that opened 25 hours ago has left the queue");
}

#[test]
fn each_kind_of_calendar_entry_has_its_own_name() {
    let names: Vec<&str> = [EntryKind::Holiday, EntryKind::Freeze, EntryKind::Window].map(EntryKind::label).into();
    assert_eq!(names, ["Holiday", "Change freeze", "Maintenance window"]);
}

#[test]
fn the_window_in_words_is_the_window_checked_and_the_form_says_it() {
    assert_eq!(production_window_in_words(), "Monday to Thursday, 8am to 4pm Eastern");
    assert_eq!(default_windows_in_words(), "second Tuesday of each month, 8pm Eastern");
    assert_eq!(
        WindowWarning::OutsideProductionHours.message(),
        "This is outside production hours (Monday to Thursday, 8am to 4pm Eastern)"
    );
    assert_eq!(regular_notice_in_words(), "two business days' notice");
    assert_eq!(business_days_in_words(1), "one business day");
    assert_eq!(business_days_in_words(12), "12 business days");
    assert_eq!(hour_in_words(0), "12am");
    assert_eq!(hour_in_words(12), "12pm");
    for name in ["planned_time", "override_reason"] {
        let hint = crate::domain::cr_form::field(name).and_then(|f| f.hint).unwrap_or_default();
        assert!(hint.contains(&production_hours_in_words()), "{name}'s hint does not say the window: {hint}");
    }
}
