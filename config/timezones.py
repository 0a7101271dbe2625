import datetime as dt
import zoneinfo


def company_day_start(company, day: dt.date, *, days: int = 0) -> dt.datetime:
    """Midnight of `day` (+ `days`) in the company's time zone, as an aware datetime."""
    tz = zoneinfo.ZoneInfo(company.timezone)
    return dt.datetime.combine(day + dt.timedelta(days=days), dt.time.min, tzinfo=tz)
