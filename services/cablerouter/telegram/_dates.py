"""Date-time groups (FL5) and filing times (FL3) into aware UTC datetimes."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Literal

__all__ = ("MONTH_NAMES", "dtg_datetime", "parse_declassification_date", "parse_dtg", "resolve_filing_time")

_UTC = dt.UTC  # passed positionally (second, microsecond, tzinfo): twice as fast as tzinfo=
_MONTHS = {
    "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
    "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
}  # fmt: skip
MONTH_NAMES: tuple[str, ...] = tuple(_MONTHS)
"""The months as DTGs write them, January first."""
_DTG = re.compile(
    r"([ZOPRWMY])(?: ([ZOPRWMY]))? ((\d\d)(\d\d)(\d\d)Z ([A-Z]{3}) (\d{4}|\d\d))(?: (.*))?"
)
# Days before each month (index 1-12; 0 unused) in a common year, and the first day of the
# year of each month's first day minus one, for common and leap years (index 0-11).
_DAYS_BEFORE = (0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_MONTH_STARTS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_MONTH_STARTS_LEAP = (0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335)
_DECL_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d\d)\b")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # State kept two-digit years after 2006; the corpus runs from 1990 to 2010.
        year += 2000 if year < 50 else 1900
    return year


def parse_dtg(line: str) -> tuple[str, str | None, dt.datetime, str, list[str]] | None:
    """Parse an FL5 line such as ``O R 261318Z MAR 09 ZDK``.

    Parameters
    ----------
    line
        Upper-case line with single spaces.

    Returns
    -------
    tuple or None
        ``(action prosign, info prosign or None, UTC datetime, DTG as written, opsigs)``,
        or ``None`` when the line does not hold a valid DTG.
    """
    m = _DTG.fullmatch(line)
    if m is None:
        return None
    action, info, raw, day, hour, minute, month, year, rest = m.groups()
    when = dtg_datetime(day, hour, minute, month, year)
    if when is None:
        return None
    return action, info, when, raw, rest.split() if rest else []


def dtg_datetime(day: str, hour: str, minute: str, month: str, year: str) -> dt.datetime | None:
    """The UTC datetime of the parts of a DTG (``11``, ``08``, ``28``, ``FEB``, ``10``).

    Parameters
    ----------
    day, hour, minute
        Two digits each, as written.
    month
        Three-letter English abbreviation, upper case.
    year
        Two or four digits (two-digit years are read as 1950-2049).

    Returns
    -------
    datetime or None
        ``None`` when the month is unknown or the date or time is impossible.
    """
    month_no = _MONTHS.get(month)
    if month_no is None:
        return None
    try:
        return dt.datetime(_year(year), month_no, int(day), int(hour), int(minute), 0, 0, _UTC)
    except ValueError:
        return None


def resolve_filing_time(raw: str, dtg: dt.datetime) -> dt.datetime | None:
    """Resolve an FL3 filing time against the DTG it belongs to.

    Parameters
    ----------
    raw
        Julian ``DDDHHMM`` (no year) or calendar ``DD/HHMMZ`` (no month or year).
    dtg
        The message's DTG, which supplies the missing year (and month).

    Returns
    -------
    datetime or None
        The filing time in UTC, on the date nearest the DTG; ``None`` if invalid.
    """
    try:
        if "/" in raw:
            day, hour, minute = int(raw[0:2]), int(raw[3:5]), int(raw[5:7])
            year, month = dtg.year, dtg.month
            if day - dtg.day > 15:  # filed late in the month before the DTG's
                year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            elif dtg.day - day > 15:  # filed early in the month after
                year, month = (year, month + 1) if month < 12 else (year + 1, 1)
            return dt.datetime(year, month, day, hour, minute, 0, 0, _UTC)
        days, hour, minute = int(raw[0:3]), int(raw[3:5]), int(raw[5:7])
        if not 1 <= days <= 366 or hour > 23 or minute > 59:
            return None
        year = dtg.year
        if 1 < year < 9999:
            # As below, with integer arithmetic instead of date objects and a timedelta.
            month = dtg.month
            leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
            delta = days - (_DAYS_BEFORE[month] + dtg.day + (leap and month > 2))
            if delta > 182:  # filed at the end of the year before the DTG's
                year -= 1
            elif delta < -182:  # filed at the start of the year after
                year += 1
            if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
                starts = _MONTH_STARTS_LEAP
            elif days == 366:  # the day after the last day of the year
                return None
            else:
                starts = _MONTH_STARTS
            month = bisect.bisect_right(starts, days - 1)
            return dt.datetime(year, month, days - starts[month - 1], hour, minute, 0, 0, _UTC)
        delta = days - (dtg.toordinal() - dt.date(year, 1, 1).toordinal() + 1)  # - day of the year
        if delta > 182:  # filed at the end of the year before the DTG's
            year -= 1
        elif delta < -182:  # filed at the start of the year after
            year += 1
        when = dt.datetime(year, 1, 1, hour, minute, tzinfo=_UTC) + dt.timedelta(days=days - 1)
        return when if when.year == year else None
    except ValueError:
        return None


def parse_declassification_date(text: str) -> dt.date | Literal[False] | None:
    """Find a ``MM/DD/YYYY`` (or ``MM/DD/YY``) date in the text after ``DECL:``.

    Returns
    -------
    date, None or False
        The date; ``None`` when there is no date; ``False`` when a date is written but
        invalid.
    """
    m = _DECL_DATE.search(text)
    if m is None:
        return None
    try:
        return dt.date(_year(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return False
