using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Sportello.Features.Tickets;

/// <summary>
/// When a problem started, as a customer states it: a local date-time in a zone (IANA id, or CET/CEST for Central
/// European civil time), or with an explicit offset. Times that do not exist or happened twice are refused with
/// the readings that would be valid, never guessed.
/// </summary>
public static class ProblemStart
{
    /// <summary>The time, or the field in error with its message (a composite format, filled with <see cref="Values"/>).</summary>
    public sealed record Result(DateTime? Utc, string? Zone, string? Field, string? Error, object?[] Values)
    {
        public static Result Invalid(string field, string error, params object?[] values) => new(null, null, field, error, values);

        /// <summary>The error in English, values filled in.</summary>
        public string? Message => Error is null ? null : string.Format(CultureInfo.InvariantCulture, Error, Values);
    }

    /// <summary>The local date-times people type (also for notices' windows): minutes, seconds or fractions.</summary>
    internal static readonly LocalDateTimePattern[] LocalPatterns =
    [
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF"),
    ];

    /// <summary>The same with an offset or <c>Z</c>.</summary>
    internal static readonly OffsetDateTimePattern[] OffsetPatterns =
    [
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<G>"),
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<G>"),
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFo<G>"),
    ];

    private static readonly Instant EarliestStart = Instant.FromUtc(1970, 1, 1, 0, 0);

    private static readonly OffsetPattern ShowOffset = OffsetPattern.CreateWithInvariantCulture("+HH':'mm");
    private static readonly LocalDateTimePattern ShowLocal = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    /// <summary>The zone a customer names: an IANA id, or CET/CEST (both the Central European civil time rules).</summary>
    public static DateTimeZone? Zone(string id) =>
        id.Equals("CET", StringComparison.OrdinalIgnoreCase) || id.Equals("CEST", StringComparison.OrdinalIgnoreCase)
            ? DateTimeZoneProviders.Tzdb.GetZoneOrNull("CET")
            : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id);

    public static Result Resolve(string? startedAt, string? zoneId, string defaultZone, Instant now)
    {
        var text = startedAt?.Trim().Replace(' ', 'T');
        if (string.IsNullOrEmpty(text))
        {
            return Result.Invalid("problemStartedAt", "problemStartedAt is required: when did the problem start?");
        }
        var zoneName = string.IsNullOrWhiteSpace(zoneId) ? defaultZone : zoneId.Trim();
        var zone = Zone(zoneName);
        if (zone is null)
        {
            return Result.Invalid("problemTimeZone",
                "problemTimeZone must be an IANA time zone id (such as Europe/Rome), or CET or CEST.");
        }
        Instant instant;
        if (OffsetPatterns.Select(p => p.Parse(text)).FirstOrDefault(r => r.Success) is { } withOffset)
        {
            instant = withOffset.Value.ToInstant();
            var expected = zone.GetUtcOffset(instant);
            if (expected != withOffset.Value.Offset)
            {
                return Result.Invalid("problemStartedAt",
                    "{0} does not match {1}, where the offset at that moment was {2}.", text, zoneName, ShowOffset.Format(expected));
            }
        }
        else if (LocalPatterns.Select(p => p.Parse(text)).FirstOrDefault(r => r.Success) is { } local)
        {
            var mapping = zone.MapLocal(local.Value);
            switch (mapping.Count)
            {
                case 0:
                    // Read with the offset after the jump, the time falls just before it; with the offset before, just after.
                    var justBefore = new OffsetDateTime(local.Value, mapping.LateInterval.WallOffset).ToInstant().InZone(zone);
                    var justAfter = new OffsetDateTime(local.Value, mapping.EarlyInterval.WallOffset).ToInstant().InZone(zone);
                    return Result.Invalid("problemStartedAt",
                        "{0} does not exist in {1}: the clocks jumped forward at that time. " +
                        "Did you mean {2} or {3}? Send problemStartedAt with its offset.",
                        ShowLocal.Format(local.Value), zoneName, Show(justBefore), Show(justAfter));
                case 2:
                    return Result.Invalid("problemStartedAt",
                        "{0} happened twice in {1}: the clocks went back at that time. " +
                        "Send problemStartedAt with its offset: {2} (the first) or {3} (the second).",
                        ShowLocal.Format(local.Value), zoneName, Show(mapping.First()), Show(mapping.Last()));
                default:
                    instant = mapping.Single().ToInstant();
                    break;
            }
        }
        else
        {
            return Result.Invalid("problemStartedAt",
                "problemStartedAt must be a local date and time such as 2026-11-24T14:30 (or with an offset, 2026-11-24T14:30+01:00).");
        }
        // Before computers kept logs there was no server to fail (and DateTime ends at year 1).
        if (instant < EarliestStart)
        {
            return Result.Invalid("problemStartedAt", "problemStartedAt is too far in the past.");
        }
        // A little tolerance for clocks that run slightly ahead.
        if (instant > now + Duration.FromMinutes(2))
        {
            return Result.Invalid("problemStartedAt", "problemStartedAt is in the future.");
        }
        return new Result(instant.ToDateTimeUtc(), zoneName, null, null, []);
    }

    private static string Show(ZonedDateTime time) =>
        ShowLocal.Format(time.LocalDateTime) + ShowOffset.Format(time.Offset).ToString(CultureInfo.InvariantCulture);
}
