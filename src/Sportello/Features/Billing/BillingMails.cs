using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Billing;

/// <summary>
/// The mails a billing document causes, for the unit of work that creates it (so the mail exists exactly when the
/// document commits): an invoice or a credit note with its PDF, an order confirmation with its lines (no PDF: the
/// order is not a tax document). They go to the customer's confirmed invoices/orders addresses, else to the
/// registered address, never to support or abuse addresses, in the customer's language.
/// </summary>
public sealed class BillingMails(SportelloDb db, Outbox outbox, InvoicePdf pdf)
{
    public Task<List<Recipient>> RecipientsAsync(Guid customerId, CancellationToken cancellationToken = default) =>
        NotificationRecipients.OfAsync(db, customerId, NotificationTypes.Invoices, cancellationToken);

    public async Task<List<OutboxMessage>> InvoiceAsync(InvoiceDetail invoice, CancellationToken cancellationToken = default)
    {
        var attachment = new MailAttachment(InvoicePdf.FileName(invoice), "application/pdf", pdf.Render(invoice));
        var credit = invoice.Kind == InvoiceKinds.CreditNote;
        var composed = new List<OutboxMessage>();
        foreach (var to in await RecipientsAsync(invoice.CustomerId, cancellationToken))
        {
            var (date, total) = (BillingText.Date(invoice.IssueDate, to.Language), BillingText.Money(invoice.GrossCents, to.Language));
            composed.Add(await outbox.ComposeAsync(Outbox.InLanguage(to.Language, () => new OutgoingMail(
                credit ? MailKinds.CreditNote : MailKinds.Invoice, to, $"{outbox.T(credit ? "Credit note" : "Invoice")} {invoice.Number}",
                [outbox.T("Hello {0},", to.Name ?? ""),
                 credit
                    ? outbox.T("attached is credit note {0} of {1}, which corrects invoice {2}, for a total of {3}.", invoice.Number, date, invoice.CreditOfNumber ?? "", total)
                    : outbox.T("attached is invoice {0} of {1}, for a total of {2}.", invoice.Number, date, total),
                 outbox.T("You can also find it in the Client Area."),
                 outbox.T("The Sportello billing team")],
                $"invoice:{invoice.Id}", Link: $"{outbox.PublicUrl}/invoices/{invoice.Id}", LinkText: outbox.T("Client Area"), Attachments: [attachment]))));
        }
        return composed;
    }

    public async Task<List<OutboxMessage>> OrderAsync(Order order, CancellationToken cancellationToken = default)
    {
        var composed = new List<OutboxMessage>();
        foreach (var to in await RecipientsAsync(order.CustomerId, cancellationToken))
        {
            var lines = string.Join("\n", order.Lines.OrderBy(l => l.Position).Select(l => $"- {l.Description}: {BillingText.Money(l.NetCents, to.Language)}"));
            composed.Add(await outbox.ComposeAsync(Outbox.InLanguage(to.Language, () => new OutgoingMail(
                MailKinds.OrderConfirmation, to, outbox.T("Order confirmation #{0}", order.Number),
                [outbox.T("Hello {0},", to.Name ?? ""),
                 outbox.T("we have recorded your order #{0}:", order.Number),
                 lines,
                 outbox.T("Total before VAT: {0}. The invoice follows by mail when it is issued, with the VAT that applies to you.",
                    BillingText.Money(order.NetCents, to.Language)),
                 outbox.T("The Sportello billing team")],
                $"order:{order.Id}", Link: $"{outbox.PublicUrl}/orders/{order.Id}", LinkText: outbox.T("Client Area")))));
        }
        return composed;
    }
}
