using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;

namespace Sportello.Features.Billing.Pages;

/// <summary>The customer's orders, newest first (<c>GET /api/v1/orders</c>), each with the invoice that bills it, if any.</summary>
[Authorize(Policy = Policies.Customer)]
public sealed class OrdersModel(CurrentUser current, PlaceOrder orders, ReadInvoices invoices) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<OrderView> Orders { get; private set; } = [];
    public ILookup<Guid, OrderInvoice> Invoices { get; private set; } = Array.Empty<OrderInvoice>().ToLookup(i => i.OrderId);
    public string? NextCursor { get; private set; }

    public async Task OnGetAsync()
    {
        var page = await orders.ListAsync(current.Id, Sportello.Web.Page.ForScreen(Cursor, PageSize), HttpContext.RequestAborted);
        Orders = page.Items;
        NextCursor = page.NextCursor;
        Invoices = (await invoices.ForOrdersAsync(current.Id, [.. Orders.Select(o => o.Id)], HttpContext.RequestAborted)).ToLookup(i => i.OrderId);
    }
}
