using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Services;
using Sportello.Web;

namespace Sportello.Features.Billing;

public sealed record OrderLineRequest(string? Description, long? NetCents, Guid? ServiceId);

/// <summary><c>POST /admin/orders</c>.</summary>
public sealed record OrderRequest(Guid? CustomerId, string? OrderNumber, List<OrderLineRequest>? Lines);

public sealed record OrderLineView(int Position, string Description, long NetCents, Guid? ServiceId);

public sealed record OrderView(Guid Id, string Number, Guid CustomerId, DateTime CreatedAt, long NetCents, List<OrderLineView> Lines)
{
    public static OrderView From(Order o) => new(o.Id, o.Number, o.CustomerId, DateTime.SpecifyKind(o.CreatedAt, DateTimeKind.Utc), o.NetCents,
        [.. o.Lines.OrderBy(l => l.Position).Select(l => new OrderLineView(l.Position, l.Description, l.NetCents, l.ServiceId))]);
}

/// <summary>
/// Admins record an order. Its number is unique among orders, and when a service already carries it, that service must
/// be the same customer's (an order number names one customer's purchase); the services a line names must be theirs.
/// The customer's confirmation mail is saved with the order (<see cref="BillingMails"/>).
/// </summary>
public sealed class PlaceOrder(SportelloDb db, IssueInvoice invoices, BillingMails mails, TimeProvider clock)
{
    public async Task<Outcome<Order>> HandleAsync(Guid adminId, OrderRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var customer = request.CustomerId is { } id ? await invoices.CustomerAsync(id, cancellationToken) : null;
        if (customer is null)
        {
            errors.Add("customerId", "customerId is not a customer.");
        }
        var number = OrderNumbers.Normalize(request.OrderNumber);
        if (number is null)
        {
            errors.Add("orderNumber", "orderNumber must be six digits, such as 123456 or #123456.");
        }
        else if (await db.Orders.AnyAsync(o => o.Number == number, cancellationToken))
        {
            errors.Add("orderNumber", "Another order already has the number #{0}.", number);
        }
        else if (customer is not null && await db.Services.AnyAsync(s => s.OrderNumber == number && s.CustomerId != customer.Id, cancellationToken))
        {
            errors.Add("orderNumber", "The number #{0} belongs to another customer's service.", number);
        }
        var lines = IssueInvoice.Lines(request.Lines?.Select(l => new InvoiceLineRequest(l?.Description, l?.NetCents)).ToList(), errors, required: true);
        var serviceIds = request.Lines?.Where(l => l?.ServiceId is not null).Select(l => l!.ServiceId!.Value).Distinct().ToList() ?? [];
        if (customer is not null && serviceIds.Count > 0
            && await db.Services.CountAsync(s => serviceIds.Contains(s.Id) && s.CustomerId == customer.Id, cancellationToken) != serviceIds.Count)
        {
            errors.Add("lines", "A line names a service that is not this customer's.");
        }
        if (errors.Any)
        {
            return Outcome<Order>.Invalid(errors);
        }
        var order = new Order
        {
            Number = number!, CustomerId = customer!.Id, CreatedAt = clock.GetUtcNow().UtcDateTime, CreatedById = adminId,
            NetCents = lines!.Sum(l => l.NetCents),
        };
        order.Lines = [.. lines!.Select((l, i) => new OrderLine
        {
            OrderId = order.Id, Position = i + 1, Description = l.Description, NetCents = l.NetCents, ServiceId = request.Lines![i]?.ServiceId,
        })];
        db.Orders.Add(order);
        // The confirmation is saved with the order: it exists exactly when the order does.
        db.OutboxMessages.AddRange(await mails.OrderAsync(order, cancellationToken));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return Outcome<Order>.Invalid(new ValidationErrors().Add("orderNumber", "Another order already has the number #{0}.", number!));
        }
        return Outcome<Order>.Ok(order);
    }

    public async Task<Paged<OrderView>> ListAsync(Guid? customerId, Page page, CancellationToken cancellationToken = default)
    {
        var rows = await db.Orders.AsNoTracking().Include(o => o.Lines)
            .Where(o => (customerId == null || o.CustomerId == customerId) && (page.After == null || o.Id < page.After))
            .OrderByDescending(o => o.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return page.Cut([.. rows.Select(OrderView.From)], o => o.Id);
    }

    /// <summary>Null when there is no such order, or it is not <paramref name="customerId"/>'s.</summary>
    public async Task<OrderView?> FindAsync(Guid orderId, Guid? customerId, CancellationToken cancellationToken = default) =>
        await db.Orders.AsNoTracking().Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && (customerId == null || o.CustomerId == customerId), cancellationToken)
            is { } order ? OrderView.From(order) : null;

    /// <summary>The order numbered <paramref name="number"/> (<c>123456</c> or <c>#123456</c>), whoever's it is; null when none.</summary>
    public async Task<OrderView?> ByNumberAsync(string? number, CancellationToken cancellationToken = default) =>
        OrderNumbers.Normalize(number) is { } normalized
        && await db.Orders.AsNoTracking().Include(o => o.Lines).FirstOrDefaultAsync(o => o.Number == normalized, cancellationToken) is { } order
            ? OrderView.From(order) : null;
}
