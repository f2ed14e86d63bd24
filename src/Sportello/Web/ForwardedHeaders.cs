using System.Net;

namespace Sportello.Web;

/// <summary>
/// <c>X-Forwarded-For</c> and <c>-Proto</c> are believed only from the proxies named in
/// <c>Sportello:ForwardedHeaders:KnownProxies</c> (addresses) and <c>:KnownNetworks</c> (CIDR ranges); none by default,
/// not even loopback (ASP.NET's default), so a client cannot choose the address its per-IP limits count, and a load
/// balancer's can be trusted. A malformed entry stops the start, naming it.
/// </summary>
public static class ForwardedHeaders
{
    public const string Section = "Sportello:ForwardedHeaders";

    public static WebApplicationBuilder AddForwardedHeaders(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(Section);
        var proxies = Entries(section.GetSection("KnownProxies"));
        var networks = Entries(section.GetSection("KnownNetworks"));
        var errors = new List<string>();
        var addresses = new List<IPAddress>();
        foreach (var entry in proxies)
        {
            if (IPAddress.TryParse(entry, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                errors.Add($"{Section}:KnownProxies: '{entry}' is not an IP address.");
            }
        }
        var ranges = new List<System.Net.IPNetwork>();
        foreach (var entry in networks)
        {
            if (System.Net.IPNetwork.TryParse(entry, out var network))
            {
                ranges.Add(network);
            }
            else
            {
                errors.Add($"{Section}:KnownNetworks: '{entry}' is not a CIDR range such as 10.0.0.0/8.");
            }
        }
        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(Section, typeof(Microsoft.AspNetCore.Builder.ForwardedHeadersOptions), errors);
        }
        builder.Services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in addresses)
            {
                o.KnownProxies.Add(address);
            }
            foreach (var range in ranges)
            {
                o.KnownIPNetworks.Add(range);
            }
        });
        // Over HTTPS (at the node, or at a trusted balancer), browsers are told to stay on HTTPS.
        builder.Services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    private static List<string> Entries(IConfigurationSection section) =>
        [.. section.GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)];
}
