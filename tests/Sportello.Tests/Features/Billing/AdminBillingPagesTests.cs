using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Billing;

/// <summary>The admins' billing pages: issuing invoices, credit notes and orders through forms, as a browser without JavaScript does.</summary>
[Trait("Category", "Data")]
public sealed partial class AdminBillingPagesTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string Password = "customer passphrase 2026";

    private async Task<(string Id, string Email)> CustomerAsync()
    {
        var admin = await app.AdminAsync();
        var email = $"admin-billing-{Unique.Next()}@example.com";
        var id = (await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Anna <i>Bianchi</i>", password = Password, country = "IT", language = "en", timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        return (id, email);
    }

    private Task<HttpClient> AdminWebAsync() => app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);

    private static Dictionary<string, string> InvoiceForm(string email, params (string Description, string Amount)[] lines)
    {
        var form = new Dictionary<string, string> { ["Input.CustomerEmail"] = email, ["Input.OrderNumber"] = "" };
        for (var i = 0; i < 5; i++)
        {
            form[$"Input.Lines[{i}].Description"] = i < lines.Length ? lines[i].Description : "";
            form[$"Input.Lines[{i}].Amount"] = i < lines.Length ? lines[i].Amount : "";
        }
        return form;
    }

    private async Task<List<(string Number, string Kind, string Subject)>> DocumentsOfAsync(string customerId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var id = Guid.Parse(customerId);
        var invoices = await db.Invoices.Where(i => i.CustomerId == id).OrderBy(i => i.Sequence).Select(i => new { i.Number, i.Kind }).ToListAsync();
        var subjects = await db.OutboxMessages.Select(m => m.Subject).ToListAsync();
        return [.. invoices.Select(i => (i.Number, i.Kind, subjects.FirstOrDefault(s => s.Contains(i.Number, StringComparison.Ordinal)) ?? ""))];
    }

    private async Task<int> LastNumberAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        return await db.Invoices.MaxAsync(i => (int?)i.Sequence) ?? 0;
    }

    private static string InvoiceId(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var match = InvoiceLocation().Match(response.Headers.Location!.ToString());
        Assert.True(match.Success, $"redirected to {response.Headers.Location}");
        return match.Groups[1].Value;
    }

    /// <summary>The printable document of a page, without the page's changing antiforgery token.</summary>
    private static string Document(string html)
    {
        var match = Article().Match(html);
        Assert.True(match.Success, "no printable document on the page");
        return match.Value;
    }

    [GeneratedRegex("<article class=\"invoice card\".*?</article>", RegexOptions.Singleline)]
    private static partial Regex Article();

    [GeneratedRegex("^/admin/invoices/([0-9a-f-]{36})$")]
    private static partial Regex InvoiceLocation();

    [Fact]
    public async Task IssueInvoicePage_IssuesNumbersAndMailsIt_AndListsIt()
    {
        var customer = await CustomerAsync();
        var web = await AdminWebAsync();
        var response = await web.SubmitAsync("/admin/invoices", "/admin/invoices",
            InvoiceForm(customer.Email.ToUpperInvariant(), ("Hosting <b>Pro</b>, December", "100"), ("Domain", "15.50")));
        var id = InvoiceId(response);

        var documents = await DocumentsOfAsync(customer.Id);
        var (number, kind, subject) = Assert.Single(documents);
        Assert.Equal("invoice", kind);
        Assert.Matches(@"^\d{4}/\d{6}$", number);
        Assert.Contains(number, subject, StringComparison.Ordinal);

        var page = await web.GetPageAsync($"/admin/invoices/{id}");
        Assert.Contains("Hosting &lt;b&gt;Pro&lt;/b&gt;, December", page, StringComparison.Ordinal);
        var text = WebUtility.HtmlDecode(page);
        Assert.Contains(number, text, StringComparison.Ordinal);
        // 115.50 net at Italy's 22 %: 140.91 gross.
        Assert.Contains("€140.91", text, StringComparison.Ordinal);
        var pdf = await web.GetAsync($"/admin/invoices/{id}/pdf", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);

        var list = WebUtility.HtmlDecode(await web.GetPageAsync("/admin/invoices"));
        Assert.Contains($"<a href=\"/admin/invoices/{id}\">{number}</a>", list, StringComparison.Ordinal);
        Assert.Contains(customer.Email, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssueInvoicePage_BadInput_ShowsErrorsOnTheFields_KeepsValues_AndIssuesNothing()
    {
        var customer = await CustomerAsync();
        var web = await AdminWebAsync();
        var before = await LastNumberAsync();

        var noLines = await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm(customer.Email));
        Assert.Equal(HttpStatusCode.OK, noLines.StatusCode);
        var html = await noLines.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("id=\"form-errors\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"lines-error\"", html, StringComparison.Ordinal);

        var badAmount = await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm(customer.Email, ("Hosting <b>x</b>", "abc")));
        html = await badAmount.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, badAmount.StatusCode);
        Assert.Matches("<input id=\"line-0-amount\"[^>]*value=\"abc\"[^>]*aria-invalid=\"true\" aria-describedby=\"line-0-amount-error\"", html);
        Assert.Contains("<span id=\"line-0-amount-error\" class=\"field-error\">The price must be a number", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Hosting &lt;b&gt;x&lt;/b&gt;\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>x</b>", html, StringComparison.Ordinal);

        var unknown = await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm("nobody-" + customer.Email, ("Hosting", "10")));
        html = await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Matches("<input id=\"customer-email\"[^>]*aria-invalid=\"true\" aria-describedby=\"customer-email-error\"", html);
        Assert.Contains("No customer is registered with this email.", html, StringComparison.Ordinal);

        var foreignOrder = await web.SubmitAsync("/admin/invoices", "/admin/invoices",
            new Dictionary<string, string>(InvoiceForm(customer.Email, ("Hosting", "10"))) { ["Input.OrderNumber"] = "12x" });
        Assert.Contains("id=\"order-number-error\"", await foreignOrder.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        Assert.Empty(await DocumentsOfAsync(customer.Id));
        // Nothing was issued, so no number was taken: the next invoice follows the last one.
        Assert.Equal(before, await LastNumberAsync());
        InvoiceId(await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm(customer.Email, ("Hosting", "10"))));
        Assert.Equal(before + 1, await LastNumberAsync());
        var (number, _, _) = Assert.Single(await DocumentsOfAsync(customer.Id));
        Assert.EndsWith((before + 1).ToString("D6", System.Globalization.CultureInfo.InvariantCulture), number, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssueInvoicePage_PostedTwice_MakesTwoInvoices_AndNeverChangesTheFirst()
    {
        var customer = await CustomerAsync();
        var web = await AdminWebAsync();
        var first = InvoiceId(await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm(customer.Email, ("First", "10"))));
        var firstPage = Document(await web.GetPageAsync($"/admin/invoices/{first}"));
        var second = InvoiceId(await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm(customer.Email, ("Second", "20"))));
        Assert.NotEqual(first, second);
        Assert.Equal(2, (await DocumentsOfAsync(customer.Id)).Count);
        // No page route edits an issued invoice: a post to its page with the issue form's fields changes nothing.
        var sneaky = await web.SubmitAsync($"/admin/invoices/{first}", $"/admin/invoices/{first}", InvoiceForm(customer.Email, ("Changed", "99")));
        Assert.True(sneaky.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.BadRequest, $"got {sneaky.StatusCode}");
        var unknownHandler = await web.SubmitAsync("/admin/invoices", "/admin/invoices?handler=Edit", InvoiceForm(customer.Email, ("Changed", "99")));
        // A handler these pages do not have is not found: Razor Pages would otherwise run the plain post and issue again.
        Assert.Equal(HttpStatusCode.NotFound, unknownHandler.StatusCode);
        var noteOfNote = await web.SubmitAsync($"/admin/invoices/{first}", $"/admin/invoices/{first}?handler=Delete", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.NotFound, noteOfNote.StatusCode);
        Assert.Equal(firstPage, Document(await web.GetPageAsync($"/admin/invoices/{first}")));
        Assert.Equal(2, (await DocumentsOfAsync(customer.Id)).Count);
    }

    [Fact]
    public async Task CreditNotePage_CreditsChosenLines_RequiresAReason_AndNeverChangesTheInvoice()
    {
        var customer = await CustomerAsync();
        var web = await AdminWebAsync();
        var id = InvoiceId(await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm(customer.Email, ("Hosting", "100"), ("Domain", "10"))));
        var invoicePage = Document(await web.GetPageAsync($"/admin/invoices/{id}"));

        var noReason = await web.SubmitAsync($"/admin/invoices/{id}", $"/admin/invoices/{id}?handler=Credit",
            new Dictionary<string, string> { ["Input.Reason"] = " ", ["Input.Lines"] = "2" });
        var html = await noReason.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, noReason.StatusCode);
        Assert.Matches("<textarea id=\"credit-reason\"[^>]*aria-invalid=\"true\" aria-describedby=\"credit-reason-error\"", html);
        Assert.Single(await DocumentsOfAsync(customer.Id));

        var note = InvoiceId(await web.SubmitAsync($"/admin/invoices/{id}", $"/admin/invoices/{id}?handler=Credit",
            new Dictionary<string, string> { ["Input.Reason"] = "Domain <not> renewed", ["Input.Lines"] = "2" }));
        var documents = await DocumentsOfAsync(customer.Id);
        Assert.Equal(["invoice", "credit-note"], documents.Select(d => d.Kind));
        Assert.Contains(documents[1].Number, documents[1].Subject, StringComparison.Ordinal);
        var notePage = WebUtility.HtmlDecode(await web.GetPageAsync($"/admin/invoices/{note}"));
        Assert.Contains("Reason: Domain <not> renewed", notePage, StringComparison.Ordinal);
        Assert.Contains("-€12.20", notePage, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/admin/invoices/{id}\">{documents[0].Number}</a>", notePage, StringComparison.Ordinal);
        Assert.DoesNotContain("Issue a credit note", notePage, StringComparison.Ordinal);
        Assert.Equal(invoicePage, Document(await web.GetPageAsync($"/admin/invoices/{id}")));

        // More than is left of the invoice: refused on the lines, nothing issued.
        var tooMuch = await web.SubmitAsync($"/admin/invoices/{id}", $"/admin/invoices/{id}?handler=Credit",
            new Dictionary<string, string> { ["Input.Reason"] = "Everything" });
        Assert.Contains("id=\"credit-lines-error\"", await tooMuch.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(2, (await DocumentsOfAsync(customer.Id)).Count);
    }

    [Fact]
    public async Task AdminBillingPages_AreForAdminsOnly()
    {
        var customer = await CustomerAsync();
        var agentEmail = $"agent-billing-{Unique.Next()}@example.com";
        await app.AgentAsync(agentEmail, "financial");
        var agent = await app.SignInWebAsync(agentEmail, "agent passphrase 2026");
        var customerWeb = await app.SignInWebAsync(customer.Email, Password);
        foreach (var client in new[] { agent, customerWeb })
        {
            foreach (var url in new[] { "/admin/invoices", $"/admin/invoices/{Guid.NewGuid()}", "/admin/orders" })
            {
                var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Forbidden, $"{url}: {response.StatusCode}");
                if (response.StatusCode == HttpStatusCode.Redirect)
                {
                    Assert.Contains("/forbidden", response.Headers.Location!.ToString(), StringComparison.Ordinal);
                }
            }
            var token = WebForms.AntiforgeryToken(await client.GetPageAsync("/account"));
            var post = await client.PostAsync("/admin/invoices", new FormUrlEncodedContent(new Dictionary<string, string>(InvoiceForm(customer.Email, ("Hosting", "10")))
            {
                ["__RequestVerificationToken"] = token,
            }), TestContext.Current.CancellationToken);
            Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        }
        Assert.Empty(await DocumentsOfAsync(customer.Id));
    }
    [Fact]
    public async Task PlaceOrderPage_PlacesAnOrderWithAService_AndRefusesABadNumberOnTheField()
    {
        var customer = await CustomerAsync();
        var admin = await app.AdminAsync();
        var orderNumber = Unique.Customer("admin-order").OrderNumber;
        var serviceId = (await admin.AddServiceAsync(customer.Id, orderNumber, "192.0.2.77")).GetProperty("id").GetString()!;
        var web = await AdminWebAsync();
        var form = new Dictionary<string, string>
        {
            ["Input.CustomerEmail"] = customer.Email, ["Input.OrderNumber"] = "12ab",
            ["Input.Lines[0].Description"] = "VPS <b>M</b>", ["Input.Lines[0].Amount"] = "1.234,50", ["Input.Lines[0].Service"] = "",
            ["Input.Lines[1].Description"] = "", ["Input.Lines[1].Amount"] = "", ["Input.Lines[1].Service"] = "",
        };
        var bad = await web.SubmitAsync("/admin/orders", "/admin/orders", form);
        var html = await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Matches("<input id=\"order-number\"[^>]*value=\"12ab\"[^>]*aria-invalid=\"true\"", html);
        Assert.Contains("id=\"order-number-error\"", html, StringComparison.Ordinal);

        form["Input.OrderNumber"] = orderNumber;
        form["Input.Lines[0].Amount"] = "1234.50";
        form["Input.Lines[0].Service"] = "no such service";
        html = await (await web.SubmitAsync("/admin/orders", "/admin/orders", form)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("id=\"line-0-service-error\"", html, StringComparison.Ordinal);

        form["Input.Lines[0].Service"] = serviceId;
        var placed = await web.SubmitAsync("/admin/orders", "/admin/orders", form);
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        var orders = await (await admin.GetAsync($"/api/v1/admin/orders?customerId={customer.Id}", TestContext.Current.CancellationToken)).JsonAsync(HttpStatusCode.OK);
        var order = Assert.Single(orders.EnumerateArray());
        Assert.Equal(orderNumber, order.GetProperty("number").GetString());
        Assert.Equal(123450, order.GetProperty("netCents").GetInt64());
        Assert.Equal(serviceId, order.GetProperty("lines")[0].GetProperty("serviceId").GetString());
        var list = await web.GetPageAsync("/admin/orders");
        Assert.Contains($"#{orderNumber}", list, StringComparison.Ordinal);
        Assert.Contains("VPS &lt;b&gt;M&lt;/b&gt;", list, StringComparison.Ordinal);
    }
    [Fact]
    public async Task IssueInvoicePage_AddsLineRowsWithoutJavaScript_AndSpeaksItalian()
    {
        var customer = await CustomerAsync();
        var web = await AdminWebAsync();
        var form = InvoiceForm(customer.Email, ("Hosting", "10"), ("", ""), ("Domain", "5"));
        var more = await web.SubmitAsync("/admin/invoices", "/admin/invoices?handler=MoreLines", form);
        var html = await more.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, more.StatusCode);
        // The typed rows come first (the blank one between them dropped), then five blank ones.
        Assert.Contains("id=\"line-6-description\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"line-7-description\"", html, StringComparison.Ordinal);
        Assert.Matches("<input id=\"line-1-description\"[^>]*value=\"Domain\"", html);
        Assert.DoesNotContain("id=\"form-errors\"", html, StringComparison.Ordinal);
        Assert.Empty(await DocumentsOfAsync(customer.Id));

        var switched = await web.SubmitAsync("/admin/invoices", "/language", new Dictionary<string, string> { ["language"] = "it", ["returnUrl"] = "/admin/invoices" });
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        try
        {
            var italian = await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm(customer.Email, ("Hosting", "12,5x")));
            html = WebUtility.HtmlDecode(await italian.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Contains("Emetti una fattura", html, StringComparison.Ordinal);
            Assert.Contains("Importo netto (€), riga 1", html, StringComparison.Ordinal);
            Assert.Matches("<span id=\"line-0-amount-error\" class=\"field-error\">[^<]*1234,56", html);
            // An Italian admin types a comma for the decimals.
            InvoiceId(await web.SubmitAsync("/admin/invoices", "/admin/invoices", InvoiceForm(customer.Email, ("Hosting", "1.234,56"))));
            var (number, _, _) = Assert.Single(await DocumentsOfAsync(customer.Id));
            Assert.Contains("1.506,16", WebUtility.HtmlDecode(await web.GetPageAsync("/admin/invoices")), StringComparison.Ordinal);
            Assert.Matches(@"^\d{4}/\d{6}$", number);
        }
        finally
        {
            await web.SubmitAsync("/admin/invoices", "/language", new Dictionary<string, string> { ["language"] = "en", ["returnUrl"] = "/admin/invoices" });
        }
    }
}
