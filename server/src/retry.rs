//! How long a worker waits before trying a failed write again: mail, webhook deliveries and
//! archive-folder copies alike (the README's configuration table says "doubles, at most an hour").

use std::time::Duration;

/// The longest wait between two tries.
pub const LONGEST_WAIT: Duration = Duration::from_secs(3600);

/// The wait after the `failures`-th failure in a row (counted from 1; 0 is taken as 1): `first`,
/// then double each time, at most [`LONGEST_WAIT`].
pub fn wait_after(first: Duration, failures: i64) -> Duration {
    // Past 2^31 times any first wait the hour has long been reached; the clamp keeps the shift sound.
    let doublings = failures.clamp(1, 32) as u32 - 1;
    first.saturating_mul(1u32 << doublings.min(31)).min(LONGEST_WAIT)
}

#[cfg(test)]
mod tests {
    use super::{wait_after, LONGEST_WAIT};
    use std::time::Duration;

    #[test]
    fn the_wait_doubles_up_to_an_hour() {
        let first = Duration::from_secs(30);
        let waits: Vec<u64> = (1..=10).map(|f| wait_after(first, f).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(wait_after(first, 0), first);
        assert_eq!(wait_after(first, i64::MAX), LONGEST_WAIT);
    }

    #[test]
    fn a_short_first_wait_still_doubles_all_the_way_to_the_hour() {
        let first = Duration::from_secs(1);
        let waits: Vec<u64> = (9..=14).map(|f| wait_after(first, f).as_secs()).collect();
        assert_eq!(waits, [256, 512, 1024, 2048, 3600, 3600]);
        assert_eq!(wait_after(Duration::from_millis(5000), 13), LONGEST_WAIT);
    }

    #[test]
    fn the_settings_say_the_same_longest_wait() {
        assert_eq!(LONGEST_WAIT, Duration::from_secs(60 * 60));
        for name in ["OFFCYCLE_MAIL_RETRY_SECONDS", "OFFCYCLE_ARCHIVE_POLL_MS"] {
            let setting = crate::settings::SETTINGS.iter().find(|s| s.name == name).expect("a setting");
            assert!(setting.meaning.contains("at most an hour"), "{name}: {}", setting.meaning);
        }
    }
}
