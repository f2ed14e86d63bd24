using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Billing;

/// <summary>Invoices and credit notes: who pays what, gapless numbers, and documents nobody can change.</summary>
[Trait("Category", "Data")]
public sealed class InvoiceTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private sealed record Customer(string Id, string Email, HttpClient Client);

    private async Task<Customer> CustomerAsync(HttpClient admin, string country, string? vatId = null, string address = "Via Roma 1, 00100 Roma")
    {
        var (email, _, _) = Unique.Customer("invoice");
        var id = (await admin.CreateCustomerAsync(email, country)).GetProperty("id").GetString()!;
        var client = await app.SignInAsync(email, "customer passphrase 2026");
        await (await client.PutAsJsonAsync("/api/v1/account/billing", new { company = "Rossi Web S.r.l.", address, country, vatId })).JsonAsync(HttpStatusCode.OK);
        return new Customer(id, email, client);
    }

    private static async Task<JsonElement> IssueAsync(HttpClient admin, Customer customer, params (string Description, long NetCents)[] lines) =>
        await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId = customer.Id, lines = lines.Select(l => new { description = l.Description, netCents = l.NetCents }),
        })).JsonAsync(HttpStatusCode.Created);

    private static int Sequence(JsonElement invoice)
    {
        var number = invoice.GetProperty("number").GetString()!;
        Assert.Matches(@"^2026/\d{6}$", number);
        return int.Parse(number[5..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task EachBuyerPaysByTheRules_AndTheLinesAreRoundedOneByOne()
    {
        var admin = await app.AdminAsync();
        var consumer = await IssueAsync(admin, await CustomerAsync(admin, "FR"), ("Hosting Pro, December", 11111), ("Hosting Pro, December", 11111), ("Hosting Pro, December", 11111));
        Assert.Equal("consumer", consumer.GetProperty("rule").GetString());
        Assert.Equal(33333, consumer.GetProperty("netCents").GetInt64());
        // 20 % of 111.11 is 22.222: each line rounds to 22.22, and the invoice adds the lines.
        Assert.Equal(6666, consumer.GetProperty("vatCents").GetInt64());
        Assert.Equal(39999, consumer.GetProperty("grossCents").GetInt64());
        var perRate = Assert.Single(consumer.GetProperty("vatPerRate").EnumerateArray());
        Assert.Equal(2000, perRate.GetProperty("rateBasisPoints").GetInt32());
        Assert.Equal(JsonValueKind.Null, consumer.GetProperty("mention").ValueKind);

        var abroad = await IssueAsync(admin, await CustomerAsync(admin, "DE", "DE 136 695 976"), ("Dedicated server", 10000));
        Assert.Equal("reverse-charge", abroad.GetProperty("rule").GetString());
        Assert.True(abroad.GetProperty("reverseCharge").GetBoolean());
        Assert.Equal(0, abroad.GetProperty("vatCents").GetInt64());
        Assert.Contains("Art. 196", abroad.GetProperty("mention").GetString(), StringComparison.Ordinal);
        Assert.Equal("DE136695976", abroad.GetProperty("buyer").GetProperty("vatId").GetString());
        Assert.Equal("not-made", abroad.GetProperty("viesCheck").GetString());

        var home = await IssueAsync(admin, await CustomerAsync(admin, "IT", "IT00743110157"), ("VPS M", 1));
        Assert.Equal("domestic", home.GetProperty("rule").GetString());
        Assert.Equal(0, home.GetProperty("vatCents").GetInt64());
        Assert.Equal(2200, home.GetProperty("lines")[0].GetProperty("rateBasisPoints").GetInt32());

        var outside = await IssueAsync(admin, await CustomerAsync(admin, "US"), ("VPS M", 5000));
        Assert.Equal("out-of-scope", outside.GetProperty("rule").GetString());
        Assert.Equal(5000, outside.GetProperty("grossCents").GetInt64());
        Assert.Equal("IT", outside.GetProperty("seller").GetProperty("country").GetString());
    }

    [Fact]
    public async Task ACreditNote_CorrectsAnInvoice_InTheSameSequence_NeverBeyondWhatIsLeft()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "IT");
        var invoice = await IssueAsync(admin, customer, ("Hosting", 10000), ("Domain", 1500));
        var id = invoice.GetProperty("id").GetString()!;
        var credit = "/api/v1/admin/invoices/" + id + "/credit-note";
        await (await admin.PostAsJsonAsync(credit, new { lines = new[] { new { description = "Refund", netCents = 1000 } } })).AssertNamesFieldAsync("reason");
        await (await admin.PostAsJsonAsync(credit, new { lines = new[] { new { description = "Too much", netCents = 20000 } }, reason = "x" })).AssertNamesFieldAsync("lines");

        var partial = await (await admin.PostAsJsonAsync(credit, new { lines = new[] { new { description = "Domain refund", netCents = 1500 } }, reason = "Domain not renewed" }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal("credit-note", partial.GetProperty("kind").GetString());
        Assert.Equal(Sequence(invoice) + 1, Sequence(partial));
        Assert.Equal(invoice.GetProperty("number").GetString(), partial.GetProperty("creditOfNumber").GetString());
        Assert.Equal(-1500, partial.GetProperty("netCents").GetInt64());
        Assert.Equal(-330, partial.GetProperty("vatCents").GetInt64());
        // Part of it is credited: reversing the whole invoice would credit more than is left (100.00).
        await (await admin.PostAsJsonAsync(credit, new { reason = "Everything" })).AssertNamesFieldAsync("lines");
        var rest = await (await admin.PostAsJsonAsync(credit, new { lines = new[] { new { description = "Hosting refund", netCents = 10000 } }, reason = "Cancelled" }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(-12200, rest.GetProperty("grossCents").GetInt64());
        await (await admin.PostAsJsonAsync(credit, new { lines = new[] { new { description = "More", netCents = 1 } }, reason = "x" })).AssertNamesFieldAsync("lines");
        await (await admin.PostAsJsonAsync($"/api/v1/admin/invoices/{rest.GetProperty("id").GetString()}/credit-note", new { reason = "x" })).AssertNamesFieldAsync("invoice");

        // The customer sees both kinds in their list; another customer sees neither.
        var mine = (await (await customer.Client.GetAsync("/api/v1/invoices")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.Equal(["credit-note", "credit-note", "invoice"], mine.Select(i => i.GetProperty("kind").GetString()!).Order(StringComparer.Ordinal));
        var stranger = await CustomerAsync(admin, "IT");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/v1/invoices/{id}")).StatusCode);
        Assert.Empty((await (await stranger.Client.GetAsync("/api/v1/invoices")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await customer.Client.GetAsync($"/api/v1/invoices/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/v1/admin/invoices/{Guid.NewGuid()}/credit-note", new { reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task AnIssuedInvoice_ChangesThroughNoRoute_AndKeepsTheBuyerAsTheyWere()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "IT", address: "Via Vecchia 1, Roma");
        var invoice = await IssueAsync(admin, customer, ("Hosting", 10000));
        var id = invoice.GetProperty("id").GetString()!;
        foreach (var (client, url) in new[] { (admin, $"/api/v1/admin/invoices/{id}"), (customer.Client, $"/api/v1/invoices/{id}") })
        {
            foreach (var method in new[] { HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete })
            {
                using var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(new { netCents = 1, lines = Array.Empty<object>() }) };
                Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.SendAsync(request)).StatusCode);
            }
        }
        await (await customer.Client.PutAsJsonAsync("/api/v1/account/billing", new { address = "Via Nuova 2, Milano", country = "IT" })).JsonAsync(HttpStatusCode.OK);
        var again = await (await customer.Client.GetAsync($"/api/v1/invoices/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(invoice.GetRawText(), again.GetRawText());
        Assert.Equal("Via Vecchia 1, Roma", again.GetProperty("buyer").GetProperty("address").GetString());
        Assert.Equal("Via Nuova 2, Milano", (await IssueAsync(admin, customer, ("Hosting", 10000))).GetProperty("buyer").GetProperty("address").GetString());
    }

    [Fact]
    public async Task BadInput_Answers400NamingTheField()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "IT");
        await (await customer.Client.PutAsJsonAsync("/api/v1/account/billing", new { country = "IT", vatId = "IT00743110158" })).AssertNamesFieldAsync("vatId");
        await (await customer.Client.PutAsJsonAsync("/api/v1/account/billing", new { country = "XX" })).AssertNamesFieldAsync("country");
        await (await customer.Client.PutAsJsonAsync("/api/v1/account/billing", new { country = "IT", address = new string('a', 501) })).AssertNamesFieldAsync("address");
        async Task RefusedAsync(object body, string field) => await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", body)).AssertNamesFieldAsync(field);
        await RefusedAsync(new { customerId = Guid.NewGuid(), lines = new[] { new { description = "x", netCents = 1 } } }, "customerId");
        await RefusedAsync(new { customerId = customer.Id }, "lines");
        await RefusedAsync(new { customerId = customer.Id, lines = Array.Empty<object>() }, "lines");
        await RefusedAsync(new { customerId = customer.Id, lines = new[] { new { description = "", netCents = 1 } } }, "lines");
        await RefusedAsync(new { customerId = customer.Id, lines = new[] { new { description = "x", netCents = -1 } } }, "lines");
        await RefusedAsync(new { customerId = customer.Id, lines = new[] { new { description = "x", netCents = 1 } }, number = "2026/000001" }, "number");
        var agentEmail = $"billing-agent{Unique.Next()}@sportello.test";
        var agent = await app.AgentAsync(agentEmail, "financial");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsJsonAsync("/api/v1/admin/invoices", new { customerId = customer.Id })).StatusCode);
    }

    [Fact]
    public async Task TheAccountPage_EditsTheBillingDetails_AndRefusesABadVatId()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "IT");
        var web = await app.SignInWebAsync(customer.Email, "customer passphrase 2026");
        var refused = await web.SubmitAsync("/account", "/account?handler=Billing", new Dictionary<string, string>
        {
            ["Billing.Address"] = "Hauptstraße 1, Berlin", ["Billing.Country"] = "DE", ["Billing.VatId"] = "DE136695977",
        });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("vatId fails its check digits.", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)), StringComparison.Ordinal);
        var saved = await web.SubmitAsync("/account", "/account?handler=Billing", new Dictionary<string, string>
        {
            ["Billing.Address"] = "Hauptstraße 1, Berlin", ["Billing.Country"] = "DE", ["Billing.VatId"] = "de 136 695 976",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var details = await (await customer.Client.GetAsync("/api/v1/account/billing")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("DE", details.GetProperty("country").GetString());
        Assert.Equal("DE136695976", details.GetProperty("vatId").GetString());
        Assert.Equal("Rossi Web S.r.l.", details.GetProperty("company").GetString());
        Assert.Equal("reverse-charge", (await IssueAsync(admin, customer, ("Hosting", 100))).GetProperty("rule").GetString());
    }

    [Fact]
    public async Task FiftyInvoicesIssuedAtOnce_GetFiftyConsecutiveNumbers_NoGapNoDuplicate()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "IT");
        var issued = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            var client = await app.AdminAsync();
            var response = await client.PostAsJsonAsync("/api/v1/admin/invoices", new { customerId = customer.Id, lines = new[] { new { description = $"Line {i}", netCents = 100 + i } } });
            return Sequence(await response.JsonAsync(HttpStatusCode.Created));
        }));
        Assert.Equal(50, issued.Distinct().Count());
        Assert.Equal(49, issued.Max() - issued.Min());
        // And the year's whole sequence, whatever else was issued before: 1..N with no hole.
        var all = new List<int>();
        for (string? next = "/api/v1/admin/invoices?limit=200"; next is not null;)
        {
            var page = await admin.GetAsync(next);
            all.AddRange((await page.JsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(Sequence));
            next = page.Headers.TryGetValues("Link", out var link) ? link.Single().Split('<', '>')[1] : null;
        }
        Assert.Equal(Enumerable.Range(1, all.Count), all.Order());
    }
}
