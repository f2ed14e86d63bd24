using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Billing;
using Sportello.Web;

namespace Sportello.Features.Admin;

/// <summary>
/// Admins: every invoice and credit note, newest first, and the form that issues an invoice (the use case
/// <c>POST /api/v1/admin/invoices</c> calls). The customer is named by registered email, the order by its number.
/// </summary>
public sealed class InvoicesModel(ReadInvoices read, IssueInvoice issue, ReadCustomer customers, PlaceOrder orders, CurrentUser current) : PageModel
{
    public const int PageSize = 50;

    public sealed class InputModel
    {
        public string? CustomerEmail { get; set; }
        public string? OrderNumber { get; set; }
        public List<LineInput> Lines { get; set; } = [];
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<InvoiceSummary> Invoices { get; private set; } = [];
    public Dictionary<Guid, CustomerContact> CustomerOf { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task OnGetAsync()
    {
        Input.Lines = BillingForm.Padded([]);
        await LoadAsync();
    }

    /// <summary>More blank line rows, for a browser without JavaScript; nothing is issued.</summary>
    public async Task<IActionResult> OnPostMoreLinesAsync()
    {
        ModelState.Clear();
        Input.Lines = BillingForm.Padded(BillingForm.Typed(Input.Lines), BillingForm.BlankRows);
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var ct = HttpContext.RequestAborted;
        var typed = BillingForm.Typed(Input.Lines);
        var errors = new ValidationErrors();
        var customer = await customers.ByEmailAsync(Input.CustomerEmail, ct);
        if (customer is null)
        {
            errors.Add("customerEmail", string.IsNullOrWhiteSpace(Input.CustomerEmail) ? "Enter the customer's registered email." : "No customer is registered with this email.");
        }
        Guid? orderId = null;
        if (!string.IsNullOrWhiteSpace(Input.OrderNumber))
        {
            var order = await orders.ByNumberAsync(Input.OrderNumber, ct);
            if (order is null || (customer is not null && order.CustomerId != customer.Id))
            {
                errors.Add("orderNumber", "This customer has no order with this number.");
            }
            orderId = order?.Id;
        }
        var amounts = BillingForm.Amounts(typed, errors);
        if (typed.Count == 0)
        {
            errors.Add("lines", "Enter at least one line: a description and its net amount.");
        }
        if (!errors.Any)
        {
            var outcome = await issue.HandleAsync(current.Id, new InvoiceRequest(customer!.Id,
                [.. typed.Select((row, i) => new InvoiceLineRequest(row.Description, amounts[i]))], orderId), ct);
            if (outcome.Value is { } invoice)
            {
                return Redirect($"/admin/invoices/{invoice.Id}");
            }
            errors = outcome.Errors;
        }
        ModelState.Clear();
        errors.CopyTo(this, "Input.", Field);
        Input.Lines = BillingForm.Padded(typed);
        await LoadAsync();
        return Page();
    }

    // The API's fields, as this form names them.
    private static string Field(string name) => name switch
    {
        "customerId" => "customerEmail",
        "orderId" => "orderNumber",
        _ => name,
    };

    private async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        var page = await read.ListAsync(null, Sportello.Web.Page.ForScreen(Cursor, PageSize), ct);
        Invoices = page.Items;
        NextCursor = page.NextCursor;
        var owners = await read.CustomersOfAsync([.. Invoices.Select(i => i.Id)], ct);
        var contacts = await customers.ContactsAsync([.. owners.Values.Distinct()], ct);
        CustomerOf = owners.Where(o => contacts.ContainsKey(o.Value)).ToDictionary(o => o.Key, o => contacts[o.Value]);
    }
}
