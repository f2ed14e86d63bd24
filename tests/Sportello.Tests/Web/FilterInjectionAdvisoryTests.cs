using System.Net;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// SQL injection through list filters and sort keys (Chatwoot CVE-2025-21628): every query parameter of every GET of
/// the OpenAPI document, as a customer and as an agent, with injection payloads. Each answer is a 400 naming the
/// parameter, a refusal of the route, or a 200 holding nothing the caller may not see: another customer's ticket and
/// another department's carry markers that must never appear.
/// </summary>
[Trait("Category", "Data")]
public sealed class FilterInjectionAdvisoryTests(WalkApp app) : IClassFixture<WalkApp>
{
    private static readonly string[] Payloads =
    [
        "' OR 1=1 --", "' OR '1'='1", "status) OR (1=1", "open') OR ('a'='a", "id desc; DROP TABLE \"Tickets\" --", "1 UNION SELECT * FROM \"AspNetUsers\" --",
        "1; SELECT pg_sleep(5)", "subject", "-createdAt", "CustomerId", "passwordHash desc", "\"Subject\" ASC NULLS FIRST, (SELECT 1)",
        "*", "%", "_", "\\", "null",
    ];

    /// <summary>Sound values for the parameters an operation needs besides the one under attack (the VAT quote's).</summary>
    private static readonly Dictionary<string, string> Sound = new() { ["country"] = "IT", ["netCents"] = "1000" };

    [Fact]
    public async Task EveryQueryParameter_WithInjectionPayloads_Answers400OrOnlyWhatTheCallerMaySee()
    {
        var marker = $"INJ{Unique.Next()}X";
        var (otherEmail, otherOrder, otherIp) = Unique.Customer("inj-other");
        var (other, _) = await app.CustomerWithServiceAsync(otherEmail, otherOrder, otherIp);
        await other.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"{marker}-customer", description = $"{marker} secret" });
        await other.OpenTicketAsync(new { department = "financial", priority = "normal", subject = $"{marker}-department", description = $"{marker} secret" });

        var (email, order, ip) = Unique.Customer("inj-caller");
        var (customer, serviceId) = await app.CustomerWithServiceAsync(email, order, ip);
        var own = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Mine", description = "Mine." });
        var agent = await app.AgentAsync($"inj-agent{Unique.Next()}@sportello.test", "technical");
        var known = new Dictionary<string, string> { ["ticketId"] = own.GetProperty("id").GetString()!, ["serviceId"] = serviceId };

        var doc = await (await app.Anonymous().GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);
        var walked = 0;
        var failures = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out var get) || !get.TryGetProperty("parameters", out var parameters))
            {
                continue;
            }
            var query = parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToList();
            // The other parameters an operation needs get sound values, so that the payload is what the answer is about.
            var required = Sound.Where(d => query.Contains(d.Key)).ToList();
            if (query.Count == 0)
            {
                continue;
            }
            var url = System.Text.RegularExpressions.Regex.Replace(path.Name, @"\{([^}:]+)[^}]*\}",
                m => known.TryGetValue(m.Groups[1].Value, out var id) ? id : Guid.NewGuid().ToString());
            walked++;
            foreach (var (caller, name, forbidden) in new[] { (customer, "customer", new[] { $"{marker}-customer", $"{marker}-department" }), (agent, "agent", new[] { $"{marker}-department" }) })
            {
                foreach (var parameter in query)
                {
                    foreach (var payload in Payloads)
                    {
                        var others = string.Concat(required.Where(r => r.Key != parameter).Select(r => $"&{r.Key}={Uri.EscapeDataString(r.Value)}"));
                        var target = $"{url}?{parameter}={Uri.EscapeDataString(payload)}{others}";
                        using var response = await caller.GetAsync(target);
                        var body = await response.Content.ReadAsStringAsync();
                        var status = (int)response.StatusCode;
                        var failure = status switch
                        {
                            200 => forbidden.FirstOrDefault(f => body.Contains(f, StringComparison.Ordinal)) is { } seen ? $"shows {seen}" : null,
                            400 => body.Contains(parameter, StringComparison.OrdinalIgnoreCase) ? null : $"400 without naming {parameter}: {System.Text.RegularExpressions.Regex.Replace(body, "\"traceId\":\"[^\"]*\"", "")}",
                            401 or 403 or 404 => null,
                            _ => $"answers {status}",
                        };
                        if (failure is not null)
                        {
                            failures.Add($"{name} GET {url}?{parameter}: {failure}");
                        }
                    }
                }
            }
        }
        Assert.True(walked >= 10, $"only {walked} GET operations with query parameters found");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(40)));

        // Nothing was dropped or changed on the way.
        Assert.Single(await customer.TicketsAsync());
        Assert.Equal(2, (await other.TicketsAsync()).Length);
        Assert.Contains((await (await agent.GetAsync("/api/v1/desk/queue?limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray(),
            t => t.GetProperty("subject").GetString() == $"{marker}-customer");
    }
}
