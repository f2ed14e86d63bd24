using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sportello.Features.Services;

public static class IpAddresses
{
    /// <summary>
    /// The canonical form of a strictly written IPv4 (four decimal octets) or IPv6 address, else null.
    /// IPAddress.Parse alone takes "1" or "0x7f.1" as IPv4, which no customer means.
    /// </summary>
    public static string? Normalize(string? value)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text) || !IPAddress.TryParse(text, out var address))
        {
            return null;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var parts = text.Split('.');
            var strict = parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit)
                && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
            return strict ? address.ToString() : null;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId == 0 && !text.Contains('%', StringComparison.Ordinal))
        {
            return address.ToString();
        }
        return null;
    }
}
