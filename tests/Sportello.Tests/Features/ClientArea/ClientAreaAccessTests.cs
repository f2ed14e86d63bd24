using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.ClientArea;

/// <summary>
/// The Client Area is for customers, by one rule on its folder: every page in it and every POST handler of those
/// pages, found from the page table and by reflection so a new one is covered by itself, refuses agents and admins
/// and changes nothing. The site's root sends staff to their own home.
/// </summary>
[Trait("Category", "Data")]
public sealed class ClientAreaAccessTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string AgentPassword = "agent passphrase 2026";

    /// <summary>Every Client Area page: its route and the model type that handles it.</summary>
    private List<(string Route, Type Model)> ClientAreaPages()
    {
        var pages = app.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<PageActionDescriptor>()
            .Where(p => p.ViewEnginePath.StartsWith("/ClientArea/", StringComparison.Ordinal))
            .Select(p => ("/" + p.AttributeRouteInfo!.Template!.TrimStart('/'),
                typeof(Program).Assembly.GetType($"Sportello.Features.ClientArea.{p.ViewEnginePath["/ClientArea/".Length..]}Model", throwOnError: true)!))
            .DistinctBy(p => p.Item1)
            .ToList();
        return pages;
    }

    private static string Url(string template, string ticketId, string caseId) =>
        System.Text.RegularExpressions.Regex.Replace(
                System.Text.RegularExpressions.Regex.Replace(template, @"\{ticketId(:[^}]*)?\}", ticketId), @"\{caseId(:[^}]*)?\}", caseId)
            .Replace("{serviceId?}", "", StringComparison.Ordinal);

    private static IEnumerable<string> PostHandlers(Type model) =>
        model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.StartsWith("OnPost", StringComparison.Ordinal))
            .Select(m => m.Name["OnPost".Length..].Replace("Async", "", StringComparison.Ordinal));

    private static string Where(Uri location) => location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    [Fact]
    public async Task EveryClientAreaPageAndHandler_RefusesStaff_AndChangesNothing()
    {
        var tag = Unique.Next();
        var (email, _, _) = Unique.Customer($"clientarea{tag}");
        var admin = await app.AdminAsync();
        var customerId = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        var ip = $"198.18.200.{tag % 250 + 1}";
        await admin.AddServiceAsync(customerId, (880000 + tag).ToString(System.Globalization.CultureInfo.InvariantCulture), ip);
        var caseId = (await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", new { type = "spam", sourceIp = ip, evidence = "Spam." }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("caseId").GetString()!;
        var customerApi = await app.SignInAsync(email, "customer passphrase 2026");
        var ticket = await customerApi.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"Folder rule {tag}", description = "Slow." });
        var ticketId = ticket.GetProperty("id").GetString()!;
        var agentEmail = $"ca-agent{tag}@sportello.test";
        await app.AgentAsync(agentEmail, "technical");

        var pages = ClientAreaPages();
        // The table is read, not typed in: it holds the Client Area's pages, the ticket page's handlers among them.
        Assert.Contains(pages, p => p.Route == "/tickets/{ticketId:guid}");
        Assert.True(pages.Count >= 4, $"only {pages.Count} Client Area pages found");
        Assert.Contains("Reply", PostHandlers(pages.Single(p => p.Route == "/tickets/{ticketId:guid}").Model));

        var customer = await app.SignInWebAsync(email, "customer passphrase 2026");
        var staff = new[] { ("agent", await app.SignInWebAsync(agentEmail, AgentPassword)), ("admin", await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword)) };
        foreach (var (route, model) in pages)
        {
            var url = Url(route, ticketId, caseId);
            await customer.GetPageAsync(url);
            foreach (var (who, web) in staff)
            {
                var token = WebForms.AntiforgeryToken(await web.GetPageAsync("/account"));
                var page = await web.GetAsync(url);
                Assert.True(page.StatusCode == HttpStatusCode.Redirect, $"GET {route} by {who}: {(int)page.StatusCode}");
                var expected = route == "/" ? (who == "admin" ? "/admin" : "/desk") : "/forbidden";
                Assert.True(Where(page.Headers.Location!).StartsWith(expected, StringComparison.Ordinal),
                    $"GET {route} by {who} went to {page.Headers.Location}");
                foreach (var handler in PostHandlers(model))
                {
                    var form = new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["__RequestVerificationToken"] = token, ["Body"] = $"Written by {who} through {handler}.",
                        ["Input.Subject"] = "Not a customer", ["Input.Description"] = "Should not open.", ["Input.Department"] = "technical",
                        ["Input.Priority"] = "normal",
                    });
                    var posted = await web.PostAsync(handler.Length == 0 ? url : $"{url}?handler={handler}", form);
                    Assert.True(posted.StatusCode == HttpStatusCode.Redirect && Where(posted.Headers.Location!).StartsWith(expected, StringComparison.Ordinal),
                        $"POST {route} handler '{handler}' by {who}: {(int)posted.StatusCode} {posted.Headers.Location}");
                }
            }
        }

        // Nothing happened to the customer's ticket, and no ticket was opened by staff.
        var detail = await admin.DeskTicketAsync(ticketId);
        Assert.Equal("open", detail.GetProperty("status").GetString());
        Assert.Single(detail.GetProperty("messages").EnumerateArray());
        var queue = await (await admin.GetAsync("/api/v1/desk/queue?limit=200")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Not a customer", queue, StringComparison.Ordinal);
        // Nor to their abuse case: staff answer it from the Desk, never as the customer.
        var abuse = await (await admin.GetAsync($"/api/v1/desk/abuse-cases/{caseId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(abuse.GetProperty("messages").EnumerateArray());
        Assert.Equal("forwarded", abuse.GetProperty("state").GetString());
    }
}
