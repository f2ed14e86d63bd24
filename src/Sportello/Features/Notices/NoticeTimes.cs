using NodaTime;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary>
/// A notice's times as an admin enters them, in any zone: an instant with an offset or <c>Z</c>
/// (<c>2026-12-05T22:00:00+01:00</c>), or a local date-time read in <c>timeZone</c> (an IANA id). A local time that
/// does not exist or happens twice in that zone is refused, never guessed. Stored UTC.
/// </summary>
public static class NoticeTimes
{
    /// <summary>The zone named by <paramref name="timeZone"/> (UTC when empty); null, with the error added, when unknown.</summary>
    public static DateTimeZone? Zone(string? timeZone, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(timeZone))
        {
            return DateTimeZone.Utc;
        }
        if (timeZone.Length <= 64 && DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone.Trim()) is { } zone)
        {
            return zone;
        }
        errors.Add("timeZone", "timeZone must be an IANA time zone id, such as Europe/Rome.");
        return null;
    }

    /// <summary>The UTC time of <paramref name="text"/>; null when empty or wrong (then <paramref name="field"/> is named in <paramref name="errors"/>).</summary>
    public static DateTime? Parse(string? text, DateTimeZone? zone, string field, ValidationErrors errors)
    {
        var value = text?.Trim().Replace(' ', 'T');
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (value.Length <= 40 && ProblemStart.OffsetPatterns.Select(p => p.Parse(value)).FirstOrDefault(r => r.Success) is { } instant)
        {
            return instant.Value.ToInstant().ToDateTimeUtc();
        }
        if (value.Length <= 40 && ProblemStart.LocalPatterns.Select(p => p.Parse(value)).FirstOrDefault(r => r.Success) is { } local)
        {
            if (zone is null)
            {
                return null;
            }
            var mapping = zone.MapLocal(local.Value);
            if (mapping.Count == 1)
            {
                return mapping.Single().ToInstant().ToDateTimeUtc();
            }
            errors.Add(field, mapping.Count == 0
                ? "{0} does not exist in {1} (the clocks jump over it): give the time with its offset."
                : "{0} happens twice in {1} (the clocks go back): give the time with its offset.", value, zone.Id);
            return null;
        }
        errors.Add(field, "{0} is a date and time such as 2026-12-05T22:00 (with timeZone) or 2026-12-05T22:00:00Z.", field);
        return null;
    }
}
