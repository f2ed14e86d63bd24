using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Abuse;

/// <summary>
/// Which service holds a reported address: the one rule for reports, security notices and addresses an agent names. A
/// service may record an IPv4 address as written, or as IPv4-mapped IPv6 (<c>::ffff:192.0.2.7</c>); both are the same
/// host, and reports name it as IPv4.
/// </summary>
public static class HostedAddresses
{
    /// <summary>The first of <paramref name="ips"/> (canonical, in order) that a service holds, with that service's id.</summary>
    public static async Task<(string Ip, Guid ServiceId)?> FirstAsync(SportelloDb db, IReadOnlyList<string> ips, CancellationToken cancellationToken)
    {
        if (ips.Count == 0)
        {
            return null;
        }
        var forms = ips.SelectMany(Forms).ToList();
        var hosted = await db.ServiceAddresses.AsNoTracking().Where(a => forms.Contains(a.Address))
            .Select(a => new { a.Address, a.ServiceId }).ToListAsync(cancellationToken);
        foreach (var ip in ips)
        {
            if (hosted.FirstOrDefault(h => Forms(ip).Contains(h.Address)) is { } match)
            {
                return (ip, match.ServiceId);
            }
        }
        return null;
    }

    private static string[] Forms(string ip) =>
        IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetwork ? [ip, $"::ffff:{ip}"] : [ip];
}
