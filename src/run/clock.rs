//! Time for runs: UTC seconds, RFC 3339 text, durations, and a clock tests can fix (`RUNSHEET_NOW`, `RUNSHEET_NOW_STEP`).

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use super::invalid;
use crate::diagnostic::Diagnostic;

/// Seconds since 1970-01-01T00:00:00Z.
pub(crate) type Seconds = i64;

/// The environment variable that fixes the clock: an RFC 3339 UTC time
/// such as `2024-05-01T10:00:00Z`.
pub(crate) const NOW_VAR: &str = "RUNSHEET_NOW";
/// Seconds a fixed clock moves on after each reading (default 0).
pub(crate) const STEP_VAR: &str = "RUNSHEET_NOW_STEP";

/// Where the time comes from: the system, or a fixed start that moves on by
/// a fixed step each time it is read (for reproducible journals).
#[derive(Debug)]
pub(crate) struct Clock {
    fixed: Option<(Cell<Seconds>, Seconds)>,
}

impl Clock {
    /// The system clock.
    pub(crate) fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock starting at `start` that moves on `step` seconds per reading.
    pub(crate) fn fixed(start: Seconds, step: Seconds) -> Clock {
        Clock {
            fixed: Some((Cell::new(start), step)),
        }
    }

    /// `RUNSHEET_NOW` (and `RUNSHEET_NOW_STEP`) when set, else the system clock.
    pub(crate) fn from_env() -> Result<Clock, Diagnostic> {
        let Some(now) = std::env::var_os(NOW_VAR).filter(|v| !v.is_empty()) else {
            return Ok(Clock::system());
        };
        let now = now.to_string_lossy();
        let start = parse(&now).ok_or_else(|| {
            invalid(format!(
                "{NOW_VAR}=`{now}` is not a UTC time like `2024-05-01T10:00:00Z`"
            ))
        })?;
        let step = match std::env::var(STEP_VAR) {
            Ok(s) if !s.trim().is_empty() => s.trim().parse().map_err(|_| {
                invalid(format!("{STEP_VAR}=`{s}` is not a whole number of seconds"))
            })?,
            _ => 0,
        };
        Ok(Clock::fixed(start, step))
    }

    /// The current time.
    pub(crate) fn now(&self) -> Seconds {
        match &self.fixed {
            Some((at, step)) => {
                let now = at.get();
                at.set(now.saturating_add(*step));
                now
            }
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as Seconds),
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn parts(t: Seconds) -> (i64, i64, i64, i64, i64, i64) {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// RFC 3339 in UTC: `2024-05-01T10:00:00Z`.
pub(crate) fn format(t: Seconds) -> String {
    let (y, mo, d, h, mi, s) = parts(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A compact form for file names: `20240501-100000`.
pub(crate) fn compact(t: Seconds) -> String {
    let (y, mo, d, h, mi, s) = parts(t);
    format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}")
}

/// Reads an RFC 3339 time: `2024-05-01T10:00:00Z`, fractions of a second
/// ignored, a `+hh:mm` or `-hh:mm` offset applied.
pub(crate) fn parse(text: &str) -> Option<Seconds> {
    let t = text.trim();
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, time) = t.split_once(['T', 't', ' '])?;
    let mut date = date.splitn(3, '-');
    let (y, mo, d) = (num(date.next()?)?, num(date.next()?)?, num(date.next()?)?);
    let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (c, off) = time.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        let (oh, om) = (num(oh)?, num(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (c, sign * (oh * 3600 + om * 60))
    };
    let clock = clock.split('.').next()?;
    let mut hms = clock.splitn(3, ':');
    let (h, mi, s) = (num(hms.next()?)?, num(hms.next()?)?, num(hms.next()?)?);
    let valid = (1..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && h < 24
        && mi < 60
        && s < 61;
    valid.then(|| days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// A duration for people: `45 s`, `12 min 5 s`, `2 h 3 min`, `3 d 4 h`.
pub(crate) fn duration(secs: Seconds) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 if s % 60 == 0 => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        3600..=86_399 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_parse_table() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_714_557_600, "2024-05-01T10:00:00Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
        ];
        for (t, text) in cases {
            assert_eq!(format(t), text);
            assert_eq!(parse(text), Some(t), "{text}");
        }
        assert_eq!(compact(1_714_557_600), "20240501-100000");
        assert_eq!(parse("2024-05-01T12:00:00.250+02:00"), Some(1_714_557_600));
        for bad in [
            "",
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "yesterday",
            "2024-05-01T1:00Z",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn fixed_clock_steps() {
        let c = Clock::fixed(100, 60);
        assert_eq!((c.now(), c.now(), c.now()), (100, 160, 220));
    }

    #[test]
    fn duration_table() {
        let cases = [
            (5, "5 s"),
            (65, "1 min 5 s"),
            (120, "2 min"),
            (7380, "2 h 3 min"),
            (90_000, "1 d 1 h"),
        ];
        for (s, text) in cases {
            assert_eq!(duration(s), text);
        }
    }
}
