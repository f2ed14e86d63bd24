using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;

namespace Sportello.Features.Billing.Pages;

/// <summary>One of the customer's orders (<c>GET /api/v1/orders/{id}</c>); another's is 404.</summary>
[Authorize(Policy = Policies.Customer)]
public sealed class OrderModel(CurrentUser current, PlaceOrder orders, ReadInvoices invoices) : PageModel
{
    public OrderView Order { get; private set; } = null!;
    public List<OrderInvoice> Invoices { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid orderId)
    {
        if (await orders.FindAsync(orderId, current.Id, HttpContext.RequestAborted) is not { } order)
        {
            return NotFound();
        }
        Order = order;
        Invoices = await invoices.ForOrdersAsync(current.Id, [order.Id], HttpContext.RequestAborted);
        return Page();
    }
}
