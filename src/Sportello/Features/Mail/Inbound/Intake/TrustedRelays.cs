using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>
/// Which <c>Authentication-Results</c> header, if any, may be believed for a stored mail. Anyone who reaches the
/// listener directly can write such a header, so only one is believed: the one written by a relay listed in
/// <c>Sportello:Mail:Authentication:TrustedRelays</c> (IP addresses or CIDR ranges) that handed us the mail, which is
/// the header right after our own <c>Received</c> line; or, for mail fetched by IMAP, the topmost one (the mailbox's
/// own MTA wrote it last). Everything further down came with the mail.
/// </summary>
public sealed class TrustedRelays
{
    private readonly List<IPNetwork> networks;

    public TrustedRelays(IOptions<MailOptions> options) => networks = Parse(options.Value.Authentication.TrustedRelays);

    /// <summary>The configured entries, or an exception naming the first one that is neither an address nor a range.</summary>
    public static List<IPNetwork> Parse(IEnumerable<string> entries)
    {
        var parsed = new List<IPNetwork>();
        foreach (var entry in entries.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                parsed.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                parsed.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new OptionsValidationException(MailOptions.Section, typeof(MailOptions),
                    [$"Sportello:Mail:Authentication:TrustedRelays: '{entry}' is neither an IP address nor a CIDR range."]);
            }
        }
        return parsed;
    }

    /// <summary>The one <c>Authentication-Results</c> header to believe, or null.</summary>
    public Header? BelievableAuthenticationResults(MimeMessage message, InboundMessage inbound)
    {
        var headers = message.Headers;
        if (inbound.Source.StartsWith("imap:", StringComparison.Ordinal))
        {
            return headers.FirstOrDefault(h => h.Id == HeaderId.AuthenticationResults);
        }
        if (!FromTrustedRelay(inbound.RemoteAddress))
        {
            return null;
        }
        // Our listener puts its Received line first; the relay's verdict is the header it wrote just before handing over.
        return headers.Count > 1 && headers[0].Id == HeaderId.Received && headers[1].Id == HeaderId.AuthenticationResults ? headers[1] : null;
    }

    private bool FromTrustedRelay(string? remoteAddress)
    {
        if (networks.Count == 0 || !IPAddress.TryParse(remoteAddress, out var address))
        {
            return false;
        }
        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return networks.Any(n => n.Contains(address));
    }
}
