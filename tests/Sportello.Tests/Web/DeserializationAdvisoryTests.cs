using System.Net;
using System.Text;
using MimeKit;
using Sportello.Features.Abuse;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// Polymorphic deserialization (WHMCS CVE-2026-67399): type names in input never choose what is built. JSON bodies with
/// <c>$type</c>, <c>$id</c>/<c>$ref</c> or <c>__type</c> are refused naming the field; YAML tags in an abuse report are
/// data. (That no type-instantiating serializer is referenced at all: <see cref="OutboundAndSerializerAdvisoryTests"/>.)
/// </summary>
[Trait("Category", "Data")]
public sealed class DeserializationAdvisoryTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string Gadget = "System.Diagnostics.Process, System.Diagnostics.Process";

    [Theory]
    [InlineData("$type")]
    [InlineData("$id")]
    [InlineData("$ref")]
    [InlineData("$values")]
    [InlineData("__type")]
    public async Task JsonBodies_WithTypeOrReferenceMetadata_AreRefusedNamingTheField(string field)
    {
        var (email, order, ip) = Unique.Customer("poly");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Poly", description = "Poly." });
        var value = field == "$ref" ? "1" : field == "$values" ? "[]" : field == "$id" ? "\"1\"" : $"\"{Gadget}\"";

        async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string body, bool first) =>
            await client.PostAsync(url, new StringContent(first ? $"{{\"{field}\":{value},{body[1..]}" : $"{body[..^1]},\"{field}\":{value}}}",
                Encoding.UTF8, "application/json"));

        foreach (var first in new[] { true, false })
        {
            await (await PostAsync(customer, "/api/v1/tickets",
                """{"department":"technical","priority":"normal","subject":"Gadget","description":"Gadget."}""", first)).AssertNamesFieldAsync(field);
            await (await PostAsync(customer, $"/api/v1/tickets/{ticket.GetProperty("id").GetString()}/messages", """{"body":"Gadget."}""", first))
                .AssertNamesFieldAsync(field);
            await (await PostAsync(app.Anonymous(), "/api/v1/auth/token", $$"""{"email":"{{email}}","password":"customer passphrase 2026"}""", first))
                .AssertNamesFieldAsync(field);
        }
        var mine = await customer.TicketsAsync();
        Assert.Single(mine);
        var detail = await (await customer.GetAsync($"/api/v1/tickets/{ticket.GetProperty("id").GetString()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, detail.GetProperty("messages").GetArrayLength());
    }

    [Theory]
    [InlineData("!!python/object/apply:os.system [\"touch /tmp/sportello-yaml-pwned\"]")]
    [InlineData("!<tag:yaml.org,2002:System.Diagnostics.Process> { StartInfo: { FileName: touch, Arguments: /tmp/sportello-yaml-pwned } }")]
    [InlineData("!!binary c3BvcnRlbGxv")]
    [InlineData("&a [*a, *a, *a]")]
    public void AnAbuseReportsYaml_WithTypeTags_IsReadAsData(string hostile)
    {
        var raw = $"""
            From: Blocklist <reports@blocklist.example>
            To: <abuse@isp.example>
            Subject: abuse report about 192.0.2.61
            MIME-Version: 1.0
            X-ARF: YES
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8

            A host of yours attacked our SSH service.

            --b1
            Content-Type: text/plain; charset=utf-8; name="report.txt"

            ---
            Reported-From: soc@blocklist.example
            Category: abuse
            Report-Type: login-attack
            Source-Type: ipv4
            Source: 192.0.2.61
            Date: 2026-11-30T10:00:00Z
            Payload: {hostile}
            --b1--
            """;
        var report = AbuseReportParser.Parse(MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n")))));
        Assert.Equal([IPAddress.Parse("192.0.2.61")], report.Ips);
        Assert.Contains(hostile.Split(' ')[0], report.Evidence, StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/sportello-yaml-pwned"));
    }
}
