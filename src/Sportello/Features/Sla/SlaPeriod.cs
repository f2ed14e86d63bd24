using NodaTime;
using Sportello.Web;

namespace Sportello.Features.Sla;

/// <summary>
/// The period an SLA report may cover: from 2000 to a year ahead. Anything outside (year 1, year 9999) is an input
/// error for the API and is brought back into range on the page, never an overflow.
/// </summary>
public static class SlaPeriod
{
    public static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static DateTime Latest(DateTime now) => now.AddYears(1);

    /// <summary>The period between two instants (API), or null with the field in error.</summary>
    public static (DateTime Start, DateTime End)? Resolve(DateTime? from, DateTime? to, DateTime now, ValidationErrors errors)
    {
        var end = to?.ToUniversalTime() ?? now;
        if (end < Earliest || end > Latest(now))
        {
            errors.Add("to", "to must lie between 2000-01-01 and a year from now.");
            return null;
        }
        var start = from?.ToUniversalTime() ?? end.AddDays(-30);
        if (start < Earliest || start > Latest(now))
        {
            errors.Add("from", "from must lie between 2000-01-01 and a year from now.");
            return null;
        }
        if (start >= end)
        {
            errors.Add("from", "from must be before to.");
            return null;
        }
        return (start, end);
    }

    /// <summary>Whole days in <paramref name="zone"/> (the page), the last 30 days by default, kept within range.</summary>
    public static (DateOnly From, DateOnly To, DateTime Start, DateTime End) Days(DateOnly from, DateOnly to, DateTimeZone zone, DateTime now)
    {
        var today = Instant.FromDateTimeUtc(now).InZone(zone).Date.ToDateOnly();
        var earliest = DateOnly.FromDateTime(Earliest);
        var latest = today.AddYears(1);
        to = to == default ? today : to < earliest ? earliest : to > latest ? latest : to;
        from = from == default || from > to ? to.AddDays(-29) : from < earliest ? earliest : from;
        var start = LocalDate.FromDateOnly(from).AtStartOfDayInZone(zone).ToDateTimeUtc();
        var end = LocalDate.FromDateOnly(to).PlusDays(1).AtStartOfDayInZone(zone).ToDateTimeUtc();
        return (from, to, start, end);
    }
}
