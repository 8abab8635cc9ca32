//! Dates: the DTG's year and the FL3 filing time resolved against the DTG
//! (`_dates.resolve_filing_time`).

pub(crate) const MONTHS: [&[u8]; 12] = [b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV", b"DEC"];

pub(crate) fn num(d: &[u8]) -> i64 {
    d.iter().fold(0, |a, &c| a * 10 + (c - b'0') as i64)
}

/// `_dates._year`: two-digit years are 1950-2049.
pub(crate) fn full_year(y: &[u8]) -> i64 {
    let v = num(y);
    if y.len() == 2 {
        v + if v < 50 { 2000 } else { 1900 }
    } else {
        v
    }
}

pub(crate) fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// `_dates.resolve_filing_time` against a valid DTG (`dtg` = year, month, day, hour, minute):
/// `Ok(None)` for an invalid time, `Err` for the years the Python code handles apart.
pub(crate) fn filing_time(raw: &[u8], dtg: [i64; 5]) -> Result<Option<[i64; 5]>, ()> {
    let [dy, dm, dd, _, _] = dtg;
    if !(2..=9998).contains(&dy) {
        return Err(());
    }
    if raw.len() == 8 {
        // `DD/HHMMZ`: no month or year, the DTG's (or the month before or after).
        let (day, hour, minute) = (num(&raw[0..2]), num(&raw[3..5]), num(&raw[5..7]));
        let (mut year, mut month) = (dy, dm);
        if day - dd > 15 {
            (year, month) = if month > 1 { (year, month - 1) } else { (year - 1, 12) };
        } else if dd - day > 15 {
            (year, month) = if month < 12 { (year, month + 1) } else { (year + 1, 1) };
        }
        if day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 {
            return Ok(None);
        }
        return Ok(Some([year, month, day, hour, minute]));
    }
    let (days, hour, minute) = (num(&raw[0..3]), num(&raw[3..5]), num(&raw[5..7]));
    if !(1..=366).contains(&days) || hour > 23 || minute > 59 {
        return Ok(None);
    }
    const BEFORE: [i64; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let mut year = dy;
    let delta = days - (BEFORE[dm as usize] + dd + (is_leap(year) && dm > 2) as i64);
    if delta > 182 {
        year -= 1;
    } else if delta < -182 {
        year += 1;
    }
    if !is_leap(year) && days == 366 {
        return Ok(None);
    }
    let mut month = 1;
    let mut day = days;
    while day > days_in_month(year, month) {
        day -= days_in_month(year, month);
        month += 1;
    }
    Ok(Some([year, month, day, hour, minute]))
}

pub(crate) fn minutes(d: [i64; 5]) -> i64 {
    (days_from_civil(d[0], d[1], d[2]) * 24 + d[3]) * 60 + d[4]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_digit_years_are_1950_to_2049() {
        assert_eq!(full_year(b"10"), 2010);
        assert_eq!(full_year(b"49"), 2049);
        assert_eq!(full_year(b"50"), 1950);
        assert_eq!(full_year(b"1999"), 1999);
    }

    #[test]
    fn month_lengths_follow_the_gregorian_calendar() {
        assert_eq!(days_in_month(2008, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2010, 4), 30);
        assert_eq!(days_in_month(2010, 12), 31);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2010, 2, 11), 14651);
    }

    #[test]
    fn a_julian_filing_time_resolves_near_the_dtg() {
        // `0420828` is day 42 (11 February), 08:28, in the DTG's year.
        assert_eq!(filing_time(b"0420828", [2010, 2, 11, 8, 28]), Ok(Some([2010, 2, 11, 8, 28])));
        // Day 365 filed for a DTG on 2 January: the year before.
        assert_eq!(filing_time(b"3652359", [2010, 1, 2, 0, 0]), Ok(Some([2009, 12, 31, 23, 59])));
        // Day 366 of a year that has none, or an hour of 24: not a valid time.
        assert_eq!(filing_time(b"3661200", [2010, 6, 1, 0, 0]), Ok(None));
        assert_eq!(filing_time(b"0422400", [2010, 2, 11, 0, 0]), Ok(None));
    }

    #[test]
    fn a_day_and_time_filing_time_takes_the_nearest_month() {
        assert_eq!(filing_time(b"11/0828Z", [2010, 2, 11, 8, 28]), Ok(Some([2010, 2, 11, 8, 28])));
        // The 30th filed for a DTG on 2 March: February has no 30th.
        assert_eq!(filing_time(b"30/1200Z", [2010, 3, 2, 0, 0]), Ok(None));
        // The 31st filed for a DTG on 2 January: December of the year before.
        assert_eq!(filing_time(b"31/1200Z", [2010, 1, 2, 0, 0]), Ok(Some([2009, 12, 31, 12, 0])));
    }

    #[test]
    fn years_the_python_code_handles_apart_are_refused() {
        assert_eq!(filing_time(b"0420828", [1, 2, 11, 8, 28]), Err(()));
        assert_eq!(filing_time(b"0420828", [9999, 2, 11, 8, 28]), Err(()));
    }

    #[test]
    fn minutes_count_across_days() {
        assert_eq!(minutes([2010, 2, 12, 0, 0]) - minutes([2010, 2, 11, 23, 59]), 1);
    }
}
