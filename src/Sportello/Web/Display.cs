using System.Globalization;
using NodaTime;

namespace Sportello.Web;

/// <summary>Instants are stored in UTC and shown in the viewer's own zone.</summary>
public static class Display
{
    public static string LocalTime(DateTime utc, string timeZone)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? DateTimeZone.Utc;
        var local = Instant.FromDateTimeUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).InZone(zone);
        return local.ToString("uuuu'-'MM'-'dd HH':'mm x", CultureInfo.InvariantCulture);
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024.0 * 1024.0):0.#} MB",
        >= 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes} B",
    };

    /// <summary>"9 min" or "2 h 5 min": a span as people say it.</summary>
    public static string Span(TimeSpan span)
    {
        var minutes = (int)Math.Floor(Math.Abs(span.TotalMinutes));
        return minutes < 1 ? "<1 min" : minutes >= 60 ? $"{minutes / 60} h {minutes % 60} min" : $"{minutes} min";
    }
}
