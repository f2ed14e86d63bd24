using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sportello.Data;
using Sportello.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace Sportello.Tests.Features.Billing;

/// <summary>Invoices, credit notes and order confirmations mailed to the invoices/orders addresses, with the PDF.</summary>
[Trait("Category", "Data")]
public sealed partial class BillingMailTests(MailApp app) : IClassFixture<MailApp>
{
    private sealed record Customer(string Id, string Email, HttpClient Client);

    [GeneratedRegex(@"https://desk\.sportello\.test/confirm-address/[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmationLink();

    private async Task<Customer> CustomerAsync(string language = "en")
    {
        await app.StartAsync();
        var (email, _, _) = Unique.Customer("billmail");
        var id = (await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Giulia Bianchi", password = "customer passphrase 2026", country = "IT", language, timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var client = await app.SignInAsync(email, "customer passphrase 2026");
        await (await client.PutAsJsonAsync("/api/v1/account/billing", new { company = "Bianchi S.r.l.", address = "Via Po 2, Torino", country = "IT" }))
            .JsonAsync(HttpStatusCode.OK);
        return new Customer(id, email, client);
    }

    /// <summary>Sets the extra addresses, and confirms those in <paramref name="confirm"/> through their links.</summary>
    private async Task AddressesAsync(Customer customer, string invoices, string support, string abuse, params string[] confirm)
    {
        await (await customer.Client.PutAsJsonAsync("/api/v1/account/notification-addresses",
            new { invoices = new[] { invoices }, support = new[] { support }, abuse = new[] { abuse } })).JsonAsync(HttpStatusCode.OK);
        foreach (var address in confirm)
        {
            var link = new Uri(ConfirmationLink().Match((await app.MailOut.WaitForAsync(address)).TextBody!).Value).PathAndQuery;
            Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>())).StatusCode);
        }
    }

    private async Task<JsonElement> IssueAsync(Customer customer, long netCents = 12345) =>
        await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId = customer.Id, lines = new[] { new { description = "Hosting Pro, December", netCents } },
        })).JsonAsync(HttpStatusCode.Created);

    /// <summary>Every outbox row whose subject names <paramref name="reference"/>: written with the document, so complete at once.</summary>
    private async Task<List<string>> RecipientsAsync(string reference)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        return await db.OutboxMessages.Where(m => m.Subject.Contains(reference)).Select(m => m.ToAddress).ToListAsync();
    }

    private static string PdfText(MimeMessage mail, string fileName)
    {
        var attachment = Assert.Single(mail.Attachments.OfType<MimePart>());
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        Assert.Equal(fileName, attachment.FileName);
        using var bytes = new MemoryStream();
        attachment.Content!.DecodeTo(bytes);
        using var pdf = PdfDocument.Open(bytes.ToArray());
        return string.Join("\n", pdf.GetPages().Select(p => p.Text));
    }

    [Fact]
    public async Task Invoice_GoesToTheConfirmedInvoicesAddress_NotToSupportOrAbuse_WithThePdf()
    {
        var customer = await CustomerAsync();
        var (invoices, support, abuse) = ($"accounts-{Unique.Next()}@example.com", $"tech-{Unique.Next()}@example.com", $"noc-{Unique.Next()}@example.com");
        await AddressesAsync(customer, invoices, support, abuse, invoices, support, abuse);

        var invoice = await IssueAsync(customer);
        var number = invoice.GetProperty("number").GetString()!;
        var mail = await app.MailOut.WaitForAsync(invoices, m => m.Subject == $"Invoice {number}");
        Assert.Contains("attached is invoice", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("€150.61", mail.TextBody, StringComparison.Ordinal);
        var text = PdfText(mail, $"invoice-{number.Replace('/', '-')}.pdf");
        Assert.Contains(number, text, StringComparison.Ordinal);
        Assert.Contains("€150.61", text, StringComparison.Ordinal);

        // Only the confirmed invoices address: not the registered one (it has a stand-in), never support or abuse.
        Assert.Equal([invoices], await RecipientsAsync(number));
        Assert.DoesNotContain(app.MailOut.All(), m => m.Subject!.Contains(number, StringComparison.Ordinal)
            && m.To.Mailboxes.Any(t => t.Address == support || t.Address == abuse || t.Address == customer.Email));
    }

    [Fact]
    public async Task WithoutAConfirmedInvoicesAddress_TheRegisteredAddressGetsIt_AndTheUnconfirmedOneNothing()
    {
        var customer = await CustomerAsync();
        var (invoices, support, abuse) = ($"accounts-{Unique.Next()}@example.com", $"tech-{Unique.Next()}@example.com", $"noc-{Unique.Next()}@example.com");
        await AddressesAsync(customer, invoices, support, abuse, support, abuse);

        var number = (await IssueAsync(customer)).GetProperty("number").GetString()!;
        var mail = await app.MailOut.WaitForAsync(customer.Email, m => m.Subject == $"Invoice {number}");
        Assert.Contains(number, PdfText(mail, $"invoice-{number.Replace('/', '-')}.pdf"), StringComparison.Ordinal);
        Assert.Equal([customer.Email], await RecipientsAsync(number));
        Assert.DoesNotContain(app.MailOut.To(invoices), m => m.Subject!.Contains(number, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnItalianCustomer_GetsTheInvoiceAndTheCreditNoteInItalian()
    {
        var customer = await CustomerAsync("it");
        var invoice = await IssueAsync(customer, 123456);
        var number = invoice.GetProperty("number").GetString()!;
        var mail = await app.MailOut.WaitForAsync(customer.Email, m => m.Subject == $"Fattura {number}");
        Assert.Contains("in allegato la fattura", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("24/11/2026", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("€ 1.506,16", mail.TextBody, StringComparison.Ordinal);
        var text = PdfText(mail, $"invoice-{number.Replace('/', '-')}.pdf");
        Assert.Contains("Fattura", text, StringComparison.Ordinal);
        Assert.Contains("€ 1.506,16", text, StringComparison.Ordinal);

        var note = await (await (await app.AdminAsync()).PostAsJsonAsync($"/api/v1/admin/invoices/{invoice.GetProperty("id").GetString()}/credit-note",
            new { reason = "Servizio annullato" })).JsonAsync(HttpStatusCode.Created);
        var noteNumber = note.GetProperty("number").GetString()!;
        var credit = await app.MailOut.WaitForAsync(customer.Email, m => m.Subject == $"Nota di credito {noteNumber}");
        Assert.Contains($"che rettifica la fattura {number}", credit.TextBody, StringComparison.Ordinal);
        Assert.Contains("Servizio annullato", PdfText(credit, $"credit-note-{noteNumber.Replace('/', '-')}.pdf"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOrder_IsConfirmedByMail_ToTheInvoicesAddress_WithItsLines()
    {
        var customer = await CustomerAsync("it");
        var (invoices, support, abuse) = ($"accounts-{Unique.Next()}@example.com", $"tech-{Unique.Next()}@example.com", $"noc-{Unique.Next()}@example.com");
        await AddressesAsync(customer, invoices, support, abuse, invoices, support, abuse);
        var (_, orderNumber, _) = Unique.Customer("order");
        await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/orders", new
        {
            customerId = customer.Id, orderNumber, lines = new[] { new { description = "VPS M, 12 mesi", netCents = 120000 } },
        })).JsonAsync(HttpStatusCode.Created);

        var mail = await app.MailOut.WaitForAsync(invoices, m => m.Subject == $"Conferma d'ordine #{orderNumber}");
        Assert.Contains("VPS M, 12 mesi: € 1.200,00", mail.TextBody, StringComparison.Ordinal);
        Assert.Empty(mail.Attachments);
        Assert.Equal([invoices], await RecipientsAsync($"#{orderNumber}"));
    }
}
