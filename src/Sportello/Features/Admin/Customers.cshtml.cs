using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;

namespace Sportello.Features.Admin;

public sealed class CustomersModel(ListCustomers listCustomers, CreateCustomer createCustomer) : PageModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
        public string? Company { get; set; }
        public string? VatId { get; set; }
        public string? Country { get; set; }
        public string Language { get; set; } = Languages.English;
        public string TimeZone { get; set; } = "Europe/Rome";
        public string? Password { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<CustomerResponse> Customers { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var outcome = await createCustomer.HandleAsync(new CreateCustomerRequest(
            Input.Email, Input.Name, Input.Password, Input.Country, Input.Language, Input.TimeZone, Input.Company, Input.VatId),
            HttpContext.RequestAborted);
        if (outcome.Value is { } customer)
        {
            return Redirect($"/admin/customers/{customer.Id}");
        }
        outcome.Errors.CopyTo(this, "Input.");
        await LoadAsync();
        return Page();
    }

    // Customers in the order they were registered, the largest page at a time; by name within the page.
    private async Task LoadAsync()
    {
        var result = await listCustomers.HandleAsync(Sportello.Web.Page.ForScreen(Cursor), HttpContext.RequestAborted);
        Customers = [.. result.Items.OrderBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase)];
        NextCursor = result.NextCursor;
    }
}
