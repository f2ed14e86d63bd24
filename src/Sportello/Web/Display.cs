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
}
