using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Billing;
using Sportello.Features.Services;
using Sportello.Web;

namespace Sportello.Features.Admin;

/// <summary>
/// Admins: every order, newest first, and the form that places one (the use case <c>POST /api/v1/admin/orders</c>
/// calls). The customer is named by registered email; a line's service by its name (or id) among that customer's.
/// </summary>
public sealed class OrdersModel(PlaceOrder place, ReadCustomer customers, ListServices services, CurrentUser current) : PageModel
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

    public List<OrderView> Orders { get; private set; } = [];
    public Dictionary<Guid, CustomerContact> Customers { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task OnGetAsync()
    {
        Input.Lines = BillingForm.Padded([]);
        await LoadAsync();
    }

    /// <summary>More blank line rows, for a browser without JavaScript; nothing is placed.</summary>
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
        var amounts = BillingForm.Amounts(typed, errors);
        var theirs = customer is null ? [] : await services.AllAsync(customer.Id, ct);
        var serviceIds = typed.Select((row, i) => ServiceOf(row.Service, theirs, errors, i)).ToList();
        if (typed.Count == 0)
        {
            errors.Add("lines", "Enter at least one line: a description and its net amount.");
        }
        if (!errors.Any)
        {
            var outcome = await place.HandleAsync(current.Id, new OrderRequest(customer!.Id, Input.OrderNumber,
                [.. typed.Select((row, i) => new OrderLineRequest(row.Description, amounts[i], serviceIds[i]))]), ct);
            if (outcome.Value is not null)
            {
                return Redirect("/admin/orders");
            }
            errors = outcome.Errors;
        }
        ModelState.Clear();
        errors.CopyTo(this, "Input.", name => name == "customerId" ? "customerEmail" : name);
        Input.Lines = BillingForm.Padded(typed);
        await LoadAsync();
        return Page();
    }

    // A service named on a line: one of the customer's, by id or by its name (which must be unambiguous).
    private static Guid? ServiceOf(string? text, List<Service> theirs, ValidationErrors errors, int line)
    {
        var name = text?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }
        var matches = theirs.Where(s => (Guid.TryParse(name, out var id) && s.Id == id) || string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count != 1)
        {
            errors.Add($"lines[{line}].Service", matches.Count == 0 ? "This customer has no service with this name." : "Several services of this customer have this name: enter its id.");
            return null;
        }
        return matches[0].Id;
    }

    private async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        var page = await place.ListAsync(null, Sportello.Web.Page.ForScreen(Cursor, PageSize), ct);
        Orders = page.Items;
        NextCursor = page.NextCursor;
        Customers = await customers.ContactsAsync([.. Orders.Select(o => o.CustomerId).Distinct()], ct);
    }
}
