using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;

namespace Sportello.Features.Billing.Pages;

/// <summary>
/// One invoice or credit note as a printable page (what <c>GET /api/v1/invoices/{id}</c> answers), and its PDF at
/// <c>/invoices/{id}/pdf</c> (what <c>GET /api/v1/invoices/{id}/pdf</c> answers, for the cookie the API does not take).
/// Another customer's is 404.
/// </summary>
[Authorize(Policy = Policies.Customer)]
public sealed class InvoiceModel(CurrentUser current, ReadInvoices read, PlaceOrder orders, DownloadInvoicePdf download) : PageModel
{
    public InvoiceDetail Invoice { get; private set; } = null!;

    /// <summary>The order it bills, when it names one.</summary>
    public OrderView? Order { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid invoiceId)
    {
        if (await read.DetailAsync(invoiceId, current.Id, HttpContext.RequestAborted) is not { } invoice)
        {
            return NotFound();
        }
        Invoice = invoice;
        Order = invoice.OrderId is { } orderId ? await orders.FindAsync(orderId, current.Id, HttpContext.RequestAborted) : null;
        // No Cache-Control of its own: the layout's antiforgery form already makes the page no-store.
        return Page();
    }

    public async Task<IActionResult> OnGetPdfAsync(Guid invoiceId)
    {
        if (await download.HandleAsync(invoiceId, current.Id, HttpContext.RequestAborted) is not { } file)
        {
            return NotFound();
        }
        // A bill is the customer's business: no shared cache keeps a copy.
        Response.Headers.CacheControl = "private, no-store";
        return File(file.Content, "application/pdf", file.FileName);
    }
}
