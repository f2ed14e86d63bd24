using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;

namespace Sportello.Features.Billing.Pages;

/// <summary>The customer's invoices and credit notes, newest first: the list <c>GET /api/v1/invoices</c> answers.</summary>
[Authorize(Policy = Policies.Customer)]
public sealed class InvoicesModel(CurrentUser current, ReadInvoices read) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<InvoiceSummary> Invoices { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task OnGetAsync()
    {
        var page = await read.ListAsync(current.Id, Sportello.Web.Page.ForScreen(Cursor, PageSize), HttpContext.RequestAborted);
        Invoices = page.Items;
        NextCursor = page.NextCursor;
    }
}
