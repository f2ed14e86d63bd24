using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Billing;

namespace Sportello.Features.Admin;

/// <summary>
/// Admins: one invoice or credit note as the customer reads it, its PDF (the use case the API's PDF calls), and for an
/// invoice the form that issues a credit note for the lines ticked, or the whole invoice when none is. Nothing here
/// changes the document itself.
/// </summary>
public sealed class InvoiceModel(ReadInvoices read, PlaceOrder orders, IssueInvoice issue, DownloadInvoicePdf download, ReadCustomer customers, CurrentUser current)
    : PageModel
{
    public sealed class InputModel
    {
        public string? Reason { get; set; }
        /// <summary>Positions of the lines credited; none means the whole invoice.</summary>
        public List<int> Lines { get; set; } = [];
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public InvoiceDetail Invoice { get; private set; } = null!;
    public OrderView? Order { get; private set; }
    public CustomerContact? Customer { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid invoiceId) => await LoadAsync(invoiceId) ? Page() : NotFound();

    public async Task<IActionResult> OnGetPdfAsync(Guid invoiceId)
    {
        if (await download.HandleAsync(invoiceId, null, HttpContext.RequestAborted) is not { } file)
        {
            return NotFound();
        }
        Response.Headers.CacheControl = "private, no-store";
        return File(file.Content, "application/pdf", file.FileName);
    }

    public async Task<IActionResult> OnPostCreditAsync(Guid invoiceId)
    {
        if (!await LoadAsync(invoiceId))
        {
            return NotFound();
        }
        var chosen = Invoice.Lines.Where(l => Input.Lines.Contains(l.Position)).ToList();
        var request = new CreditNoteRequest(chosen.Count == 0 ? null : [.. chosen.Select(l => new InvoiceLineRequest(l.Description, l.NetCents))], Input.Reason);
        if (await issue.CreditAsync(current.Id, invoiceId, request, HttpContext.RequestAborted) is not { } outcome)
        {
            return NotFound();
        }
        if (outcome.Value is { } note)
        {
            return Redirect($"/admin/invoices/{note.Id}");
        }
        ModelState.Clear();
        outcome.Errors.CopyTo(this, "Input.");
        return Page();
    }

    private async Task<bool> LoadAsync(Guid invoiceId)
    {
        var ct = HttpContext.RequestAborted;
        if (await read.DetailAsync(invoiceId, null, ct) is not { } invoice)
        {
            return false;
        }
        Invoice = invoice;
        Order = invoice.OrderId is { } orderId ? await orders.FindAsync(orderId, null, ct) : null;
        Customer = (await customers.ContactsAsync([invoice.CustomerId], ct)).GetValueOrDefault(invoice.CustomerId);
        return true;
    }
}
