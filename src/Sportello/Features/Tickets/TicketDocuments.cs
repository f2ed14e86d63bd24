using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Billing;
using Sportello.Web;

namespace Sportello.Features.Tickets;

/// <summary>An invoice, credit note or order a financial ticket names, as shown beside the ticket.</summary>
/// <param name="Kind"><c>invoice</c>, <c>credit-note</c> or <c>order</c>.</param>
/// <param name="Date">The issue date of an invoice; the day an order was placed (UTC).</param>
/// <param name="TotalCents">Gross for an invoice or credit note, net for an order (orders carry no VAT).</param>
public sealed record TicketDocument(string Kind, Guid Id, string Number, DateOnly Date, long TotalCents)
{
    public const string Order = "order";

    public bool IsOrder => Kind == Order;

    /// <summary>The customer's own page of the document in the Client Area.</summary>
    public string ClientAreaPage => IsOrder ? $"/orders/{Id}" : $"/invoices/{Id}";

    public static TicketDocument Of(InvoiceDetail i) => new(i.Kind, i.Id, i.Number, i.IssueDate, i.GrossCents);

    public static TicketDocument Of(InvoiceSummary i) => new(i.Kind, i.Id, i.Number, i.IssueDate, i.GrossCents);

    public static TicketDocument Of(OrderView o) => new(Order, o.Id, o.Number, DateOnly.FromDateTime(o.CreatedAt), o.NetCents);
}

/// <summary>
/// The billing documents a ticket may name: only a financial ticket, only the customer's own (asked of Billing, which
/// answers another customer's exactly like a missing one). The ticket stores ids; the pages read the documents here.
/// </summary>
public sealed class TicketDocuments(SportelloDb db, ReadInvoices invoices, PlaceOrder orders)
{
    /// <summary>What a ticket names: an invoice (or credit note), an order, both or neither.</summary>
    public sealed record Named(InvoiceDetail? Invoice, OrderView? Order)
    {
        public bool Any => Invoice is not null || Order is not null;

        /// <summary>One line each, as shown beside the ticket.</summary>
        public IReadOnlyList<TicketDocument> Summaries =>
            [.. new[] { Invoice is null ? null : TicketDocument.Of(Invoice), Order is null ? null : TicketDocument.Of(Order) }.OfType<TicketDocument>()];
    }

    public async Task CheckAsync(
        Guid customerId, string? department, Guid? invoiceId, Guid? orderId, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (department is null || !Departments.All.Contains(department))
        {
            return; // the department is named wrong already; which documents it may carry waits on that
        }
        var financial = department == Departments.Financial;
        if (invoiceId is { } invoice)
        {
            if (!financial)
            {
                errors.Add("invoiceId", "Only a financial ticket may name an invoice: choose the financial department, or leave the invoice out.");
            }
            else if (await invoices.DetailAsync(invoice, customerId, cancellationToken) is null)
            {
                errors.Add("invoiceId", "invoiceId is not one of your invoices or credit notes.");
            }
        }
        if (orderId is { } order)
        {
            if (!financial)
            {
                errors.Add("orderId", "Only a financial ticket may name an order: choose the financial department, or leave the order out.");
            }
            else if (await orders.FindAsync(order, customerId, cancellationToken) is null)
            {
                errors.Add("orderId", "orderId is not one of your orders.");
            }
        }
    }

    /// <summary>
    /// The documents a ticket names, in full, with the ticket's number; null when <paramref name="viewer"/> may not see the
    /// ticket (404, like a missing one).
    /// </summary>
    public async Task<(string TicketNumber, Named Documents)?> ReadAsync(TicketViewer viewer, Guid ticketId, CancellationToken cancellationToken)
    {
        var ticket = await viewer.Visible(db.Tickets.AsNoTracking()).Where(t => t.Id == ticketId)
            .Select(t => new { t.Number, t.CustomerId, t.InvoiceId, t.OrderId }).FirstOrDefaultAsync(cancellationToken);
        return ticket is null ? null : (ticket.Number, await ReadAsync(ticket.CustomerId, ticket.InvoiceId, ticket.OrderId, cancellationToken));
    }

    /// <summary>The documents of a ticket already read: always its customer's own (a stranger's mail names none).</summary>
    public async Task<Named> ReadAsync(Guid? customerId, Guid? invoiceId, Guid? orderId, CancellationToken cancellationToken)
    {
        if (customerId is not { } owner)
        {
            return new Named(null, null);
        }
        var invoice = invoiceId is { } i ? await invoices.DetailAsync(i, owner, cancellationToken) : null;
        var order = orderId is { } o ? await orders.FindAsync(o, owner, cancellationToken) : null;
        return new Named(invoice, order);
    }

    /// <summary>The customer's documents a ticket may name, newest first (the form's choices).</summary>
    public async Task<(List<TicketDocument> Invoices, List<TicketDocument> Orders)> ChoicesAsync(Guid customerId, CancellationToken cancellationToken)
    {
        var page = new Page(Page.MaxLimit, null);
        var issued = await invoices.ListAsync(customerId, page, cancellationToken);
        var placed = await orders.ListAsync(customerId, page, cancellationToken);
        return ([.. issued.Items.Select(TicketDocument.Of)], [.. placed.Items.Select(TicketDocument.Of)]);
    }
}
