using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Billing;

/// <summary>
/// A financial ticket may name one of the customer's invoices or orders (API and form); another customer's, a missing
/// one, or one named on a technical ticket is 400 naming the field, and nothing is stored. The Desk (within the agent's
/// departments) and the customer's ticket page show it beside the ticket.
/// </summary>
[Trait("Category", "Data")]
public sealed partial class FinancialTicketTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string Password = "customer passphrase 2026";
    private const string AgentPassword = "agent passphrase 2026";

    private sealed record Customer(string Id, string Email, HttpClient Client, string InvoiceId, string InvoiceNumber, string OrderId, string OrderNumber);

    /// <summary>A customer with one order and one invoice billing it (net 100.00, Italian VAT: 122.00 gross).</summary>
    private async Task<Customer> CustomerAsync(string prefix)
    {
        var admin = await app.AdminAsync();
        var (email, orderNumber, ip) = Unique.Customer(prefix);
        var id = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        await admin.AddServiceAsync(id, orderNumber, ip);
        var order = await (await admin.PostAsJsonAsync("/api/v1/admin/orders", new
        {
            customerId = id, orderNumber, lines = new[] { new { description = "VPS M, 12 months", netCents = 10000L } },
        })).JsonAsync(HttpStatusCode.Created);
        var invoice = await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId = id, orderId = order.GetProperty("id").GetString(), lines = new[] { new { description = "VPS M, 12 months", netCents = 10000L } },
        })).JsonAsync(HttpStatusCode.Created);
        return new Customer(id, email, await app.SignInAsync(email, Password), invoice.GetProperty("id").GetString()!,
            invoice.GetProperty("number").GetString()!, order.GetProperty("id").GetString()!, orderNumber);
    }

    private static object Financial(string? invoiceId = null, string? orderId = null, string department = "financial") => new
    {
        department, priority = "normal", subject = "A question about my bill", description = "Why is VAT charged?", invoiceId, orderId,
    };

    private static async Task<int> TicketCountAsync(HttpClient customer) =>
        (await (await customer.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK)).GetArrayLength();

    private static string Text(string html) => WebUtility.HtmlDecode(html);

    [Fact]
    public async Task OpenTicket_NamingOwnInvoice_IsStoredReturned_AndShownOnTheDeskAndToTheCustomer()
    {
        var customer = await CustomerAsync("fin-invoice");
        var ticket = await customer.Client.OpenTicketAsync(Financial(invoiceId: customer.InvoiceId));
        var id = ticket.GetProperty("id").GetString()!;
        Assert.Equal(customer.InvoiceId, ticket.GetProperty("invoiceId").GetString());
        Assert.False(ticket.TryGetProperty("orderId", out _));

        var read = await (await customer.Client.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(customer.InvoiceId, read.GetProperty("invoiceId").GetString());
        var listed = (await (await customer.Client.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().Single();
        Assert.Equal(customer.InvoiceId, listed.GetProperty("invoiceId").GetString());

        var agentEmail = $"fin-agent{Unique.Next()}@sportello.test";
        var agent = await app.AgentAsync(agentEmail, "financial");
        Assert.Equal(customer.InvoiceId, (await agent.DeskTicketAsync(id)).GetProperty("invoiceId").GetString());

        var desk = Text(await (await app.SignInWebAsync(agentEmail, AgentPassword)).GetPageAsync($"/desk/tickets/{id}"));
        var block = Block(desk);
        Assert.Contains(customer.InvoiceNumber, block, StringComparison.Ordinal);
        Assert.Contains("Invoice", block, StringComparison.Ordinal);
        Assert.Contains("122.00", block, StringComparison.Ordinal);
        Assert.Contains($"/desk/tickets/{id}/billing", block, StringComparison.Ordinal);
        var detail = Text(await (await app.SignInWebAsync(agentEmail, AgentPassword)).GetPageAsync($"/desk/tickets/{id}/billing"));
        Assert.Contains(customer.InvoiceNumber, detail, StringComparison.Ordinal);
        Assert.Contains("VPS M, 12 months", detail, StringComparison.Ordinal);

        var web = await app.SignInWebAsync(customer.Email, Password);
        var mine = Block(Text(await web.GetPageAsync($"/tickets/{id}")));
        Assert.Contains(customer.InvoiceNumber, mine, StringComparison.Ordinal);
        Assert.Contains("122.00", mine, StringComparison.Ordinal);
        // The customer's block links to their own invoice page.
        Assert.Contains($"href=\"/invoices/{customer.InvoiceId}\"", mine, StringComparison.Ordinal);
        Assert.Contains(customer.InvoiceNumber, Text(await web.GetPageAsync($"/invoices/{customer.InvoiceId}")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenTicket_NamingOwnCreditNote_IsShownAsACreditNote()
    {
        var customer = await CustomerAsync("fin-credit");
        var credit = await (await (await app.AdminAsync()).PostAsJsonAsync($"/api/v1/admin/invoices/{customer.InvoiceId}/credit-note", new
        {
            lines = new[] { new { description = "Refund, two months", netCents = 2000L } }, reason = "Cancelled early",
        })).JsonAsync(HttpStatusCode.Created);
        var creditId = credit.GetProperty("id").GetString()!;
        var id = (await customer.Client.OpenTicketAsync(Financial(invoiceId: creditId))).GetProperty("id").GetString()!;

        var mine = Block(Text(await (await app.SignInWebAsync(customer.Email, Password)).GetPageAsync($"/tickets/{id}")));
        Assert.Contains("Credit note " + credit.GetProperty("number").GetString(), mine, StringComparison.Ordinal);
        Assert.Contains($"href=\"/invoices/{creditId}\"", mine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDeskPages_OfAFinancialTicket_AnswerAnotherDepartmentsAgent_WithNotFound()
    {
        var customer = await CustomerAsync("fin-boundary");
        var id = (await customer.Client.OpenTicketAsync(Financial(invoiceId: customer.InvoiceId))).GetProperty("id").GetString()!;
        var technicalEmail = $"tech-agent{Unique.Next()}@sportello.test";
        await app.AgentAsync(technicalEmail, "technical");
        var technical = await app.SignInWebAsync(technicalEmail, AgentPassword);
        await technical.GetPageAsync($"/desk/tickets/{id}", HttpStatusCode.NotFound);
        await technical.GetPageAsync($"/desk/tickets/{id}/billing", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OpenTicket_NamingOwnOrder_IsStoredReturned_AndShown()
    {
        var customer = await CustomerAsync("fin-order");
        var ticket = await customer.Client.OpenTicketAsync(Financial(orderId: customer.OrderId));
        var id = ticket.GetProperty("id").GetString()!;
        Assert.Equal(customer.OrderId, ticket.GetProperty("orderId").GetString());
        Assert.Equal(customer.OrderId, (await (await customer.Client.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK)).GetProperty("orderId").GetString());

        var agentEmail = $"fin-agent{Unique.Next()}@sportello.test";
        await app.AgentAsync(agentEmail, "financial");
        var deskWeb = await app.SignInWebAsync(agentEmail, AgentPassword);
        var desk = Block(Text(await deskWeb.GetPageAsync($"/desk/tickets/{id}")));
        Assert.Contains("#" + customer.OrderNumber, desk, StringComparison.Ordinal);
        Assert.Contains("100.00", desk, StringComparison.Ordinal);
        var detail = Text(await deskWeb.GetPageAsync($"/desk/tickets/{id}/billing"));
        Assert.Contains($"id=\"doc-{customer.OrderId}\"", detail, StringComparison.Ordinal);
        Assert.Contains("VPS M, 12 months", detail, StringComparison.Ordinal);
        var mine = Block(Text(await (await app.SignInWebAsync(customer.Email, Password)).GetPageAsync($"/tickets/{id}")));
        Assert.Contains("#" + customer.OrderNumber, mine, StringComparison.Ordinal);
        Assert.Contains($"href=\"/orders/{customer.OrderId}\"", mine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenTicket_NamingAnotherCustomersInvoiceOrOrder_Returns400NamingTheField_AndStoresNothing()
    {
        var customer = await CustomerAsync("fin-mine");
        var other = await CustomerAsync("fin-other");

        await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", Financial(invoiceId: other.InvoiceId))).AssertNamesFieldAsync("invoiceId");
        await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", Financial(orderId: other.OrderId))).AssertNamesFieldAsync("orderId");
        // Own invoice, another's order: still refused, naming only the order.
        var mixed = await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", Financial(customer.InvoiceId, other.OrderId))).JsonAsync(HttpStatusCode.BadRequest);
        Assert.False(mixed.GetProperty("errors").TryGetProperty("invoiceId", out _));
        Assert.True(mixed.GetProperty("errors").TryGetProperty("orderId", out _));

        Assert.Equal(0, await TicketCountAsync(customer.Client));
        Assert.Equal(0, await TicketCountAsync(other.Client));
    }

    [Fact]
    public async Task OpenTicket_NamingAnInvoiceOrOrderThatDoesNotExist_Returns400NamingTheField()
    {
        var customer = await CustomerAsync("fin-random");
        await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", Financial(invoiceId: Guid.NewGuid().ToString()))).AssertNamesFieldAsync("invoiceId");
        await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", Financial(orderId: Guid.NewGuid().ToString()))).AssertNamesFieldAsync("orderId");
        // The order's id is not an invoice's: each field names its own kind of document.
        await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", Financial(invoiceId: customer.OrderId))).AssertNamesFieldAsync("invoiceId");
        await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", new
        {
            department = "financial", priority = "normal", subject = "Bill", description = "Bill.", invoiceId = "not-a-guid",
        })).AssertNamesFieldAsync("invoiceId");
        Assert.Equal(0, await TicketCountAsync(customer.Client));
    }

    [Fact]
    public async Task OpenTicket_NamingAnInvoiceOnATechnicalTicket_Returns400NamingTheField()
    {
        var customer = await CustomerAsync("fin-technical");
        await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", Financial(invoiceId: customer.InvoiceId, department: "technical")))
            .AssertNamesFieldAsync("invoiceId");
        await (await customer.Client.PostAsJsonAsync("/api/v1/tickets", Financial(orderId: customer.OrderId, department: "technical")))
            .AssertNamesFieldAsync("orderId");
        Assert.Equal(0, await TicketCountAsync(customer.Client));
    }

    [Fact]
    public async Task TheTicketForm_OffersOwnInvoicesAndOrders_StoresTheChoice_AndReportsAnotherCustomersOnTheField()
    {
        var customer = await CustomerAsync("fin-form");
        var other = await CustomerAsync("fin-form-other");
        var web = await app.SignInWebAsync(customer.Email, Password);
        var form = Text(await web.GetPageAsync("/tickets/new"));
        Assert.Matches("<label for=\"Input_InvoiceId\">[^<]+</label>", form);
        Assert.Matches("<label for=\"Input_OrderId\">[^<]+</label>", form);
        Assert.Contains($"value=\"{customer.InvoiceId}\"", form, StringComparison.Ordinal);
        Assert.Contains(customer.InvoiceNumber, form, StringComparison.Ordinal);
        Assert.Contains($"value=\"{customer.OrderId}\"", form, StringComparison.Ordinal);
        Assert.Contains("#" + customer.OrderNumber, form, StringComparison.Ordinal);
        Assert.DoesNotContain(other.InvoiceId, form, StringComparison.Ordinal);

        Dictionary<string, string> Fields(string invoiceId, string orderId) => new()
        {
            ["Input.Department"] = "financial", ["Input.Priority"] = "normal", ["Input.Subject"] = "Bill from the form",
            ["Input.Description"] = "Why is VAT charged?", ["Input.InvoiceId"] = invoiceId, ["Input.OrderId"] = orderId,
        };
        var refused = await web.SubmitAsync("/tickets/new", "/tickets/new", Fields(other.InvoiceId, ""));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Matches("data-valmsg-for=\"Input.InvoiceId\"[^>]*>[^<]*invoice", Text(await refused.Content.ReadAsStringAsync()));
        var garbled = await web.SubmitAsync("/tickets/new", "/tickets/new", Fields("", "not-an-order"));
        Assert.Equal(HttpStatusCode.OK, garbled.StatusCode);
        Assert.Matches("data-valmsg-for=\"Input.OrderId\"[^>]*>[^<]*order", Text(await garbled.Content.ReadAsStringAsync()));
        Assert.Equal(0, await TicketCountAsync(customer.Client));

        var opened = await web.SubmitAsync("/tickets/new", "/tickets/new", Fields(customer.InvoiceId, customer.OrderId));
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        var ticket = (await (await customer.Client.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().Single();
        Assert.Equal(customer.InvoiceId, ticket.GetProperty("invoiceId").GetString());
        Assert.Equal(customer.OrderId, ticket.GetProperty("orderId").GetString());
        Assert.Equal(ticket.GetProperty("id").GetString(), opened.Headers.Location!.OriginalString.Split('/')[^1]);
    }

    [Fact]
    public async Task TheTicketForm_InItalian_LabelsTheChoices()
    {
        var customer = await CustomerAsync("fin-form-it");
        var web = await app.SignInWebAsync(customer.Email, Password);
        var home = await web.GetPageAsync("/tickets/new");
        await web.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebForms.AntiforgeryToken(home), ["language"] = "it", ["returnUrl"] = "/tickets/new",
        }));
        var form = Text(await web.GetPageAsync("/tickets/new"));
        Assert.Contains("<label for=\"Input_InvoiceId\">Fattura o nota di credito</label>", form, StringComparison.Ordinal);
        Assert.Contains("<label for=\"Input_OrderId\">Ordine</label>", form, StringComparison.Ordinal);
    }

    /// <summary>The "beside the ticket" block that names the billing document.</summary>
    private static string Block(string html) =>
        DocumentBlock().Match(html) is { Success: true } m ? m.Value : throw new Xunit.Sdk.XunitException("The page shows no billing document.");

    [GeneratedRegex("<div class=\"ticket-documents\".*?</div>", RegexOptions.Singleline)]
    private static partial Regex DocumentBlock();
}
