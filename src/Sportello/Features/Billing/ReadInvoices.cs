using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Billing;

public sealed record InvoiceSummary(Guid Id, string Number, string Kind, DateTime IssuedAt, DateOnly IssueDate, long NetCents, long VatCents, long GrossCents,
    bool ReverseCharge, Guid? CreditOfId);

/// <summary>An invoice that bills an order: what the order's page links to.</summary>
public sealed record OrderInvoice(Guid OrderId, Guid InvoiceId, string Number);

public sealed record InvoiceParty(string Name, string? Company, string? Address, string Country, string? VatId);

public sealed record InvoiceLineView(int Position, string Description, long NetCents, int RateBasisPoints, long VatCents);

/// <summary>The VAT of the lines at one rate: what the law asks an invoice to show per rate.</summary>
public sealed record VatAtRate(int RateBasisPoints, long NetCents, long VatCents);

public sealed record InvoiceDetail(Guid Id, string Number, string Kind, DateTime IssuedAt, DateOnly IssueDate, Guid CustomerId, InvoiceParty Seller,
    InvoiceParty Buyer, string Rule, string? Mention, string ViesCheck, List<InvoiceLineView> Lines, List<VatAtRate> VatPerRate, long NetCents,
    long VatCents, long GrossCents, bool ReverseCharge, Guid? CreditOfId, string? CreditOfNumber, string? Reason, string Language)
{
    public Guid? OrderId { get; init; }
}

/// <summary>Invoices and credit notes: a customer's own (another's is 404, as if it did not exist), or any for admins.</summary>
public sealed class ReadInvoices(SportelloDb db)
{
    public async Task<Paged<InvoiceSummary>> ListAsync(Guid? customerId, Page page, CancellationToken cancellationToken = default)
    {
        var rows = await db.Invoices.AsNoTracking()
            .Where(i => (customerId == null || i.CustomerId == customerId) && (page.After == null || i.Id < page.After))
            .OrderByDescending(i => i.Id).Take(page.Limit + 1)
            .Select(i => new InvoiceSummary(i.Id, i.Number, i.Kind, i.IssuedAt, i.IssueDate, i.NetCents, i.VatCents, i.GrossCents,
                i.Rule == VatRuleKinds.ReverseCharge, i.CreditOfId))
            .ToListAsync(cancellationToken);
        return page.Cut([.. rows.Select(r => r with { IssuedAt = DateTime.SpecifyKind(r.IssuedAt, DateTimeKind.Utc) })], r => r.Id);
    }

    /// <summary>Whose each of <paramref name="invoiceIds"/> is: the customer column of the admins' list.</summary>
    public Task<Dictionary<Guid, Guid>> CustomersOfAsync(IReadOnlyCollection<Guid> invoiceIds, CancellationToken cancellationToken = default) =>
        db.Invoices.AsNoTracking().Where(i => invoiceIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.CustomerId, cancellationToken);

    /// <summary>The invoices (not credit notes) that bill <paramref name="orderIds"/>, of <paramref name="customerId"/> only, oldest first.</summary>
    public Task<List<OrderInvoice>> ForOrdersAsync(Guid? customerId, IReadOnlyCollection<Guid> orderIds, CancellationToken cancellationToken = default) =>
        db.Invoices.AsNoTracking()
            .Where(i => i.OrderId != null && orderIds.Contains(i.OrderId.Value) && i.Kind == InvoiceKinds.Invoice && (customerId == null || i.CustomerId == customerId))
            .OrderBy(i => i.Id).Select(i => new OrderInvoice(i.OrderId!.Value, i.Id, i.Number)).ToListAsync(cancellationToken);

    /// <summary>Null when there is no such invoice, or it is not <paramref name="customerId"/>'s.</summary>
    public async Task<InvoiceDetail?> DetailAsync(Guid invoiceId, Guid? customerId, CancellationToken cancellationToken = default)
    {
        var i = await db.Invoices.AsNoTracking().Include(x => x.Lines)
            .FirstOrDefaultAsync(x => x.Id == invoiceId && (customerId == null || x.CustomerId == customerId), cancellationToken);
        if (i is null)
        {
            return null;
        }
        var creditOf = i.CreditOfId is { } id ? await db.Invoices.Where(x => x.Id == id).Select(x => x.Number).FirstOrDefaultAsync(cancellationToken) : null;
        var lines = i.Lines.OrderBy(l => l.Position).ToList();
        return new InvoiceDetail(i.Id, i.Number, i.Kind, DateTime.SpecifyKind(i.IssuedAt, DateTimeKind.Utc), i.IssueDate, i.CustomerId,
            new InvoiceParty(i.SellerName, null, i.SellerAddress, i.SellerCountry, i.SellerVatId),
            new InvoiceParty(i.BuyerName, i.BuyerCompany, i.BuyerAddress, i.BuyerCountry, i.BuyerVatId),
            i.Rule, VatRules.Mention(i.Rule), i.ViesCheck,
            [.. lines.Select(l => new InvoiceLineView(l.Position, l.Description, l.NetCents, l.RateBasisPoints, l.VatCents))],
            [.. lines.GroupBy(l => l.RateBasisPoints).OrderByDescending(g => g.Key).Select(g => new VatAtRate(g.Key, g.Sum(l => l.NetCents), g.Sum(l => l.VatCents)))],
            i.NetCents, i.VatCents, i.GrossCents, i.ReverseCharge, i.CreditOfId, creditOf, i.Reason, i.Language) { OrderId = i.OrderId };
    }
}
