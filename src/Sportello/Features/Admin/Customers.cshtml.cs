using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Admin;

public sealed class CustomersModel(SportelloDb db, CreateCustomer createCustomer) : PageModel
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

    public List<User> Customers { get; private set; } = [];

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

    private async Task LoadAsync() =>
        Customers = await AccountsApi.CustomersQuery(db).OrderBy(u => u.Name).AsNoTracking().ToListAsync(HttpContext.RequestAborted);
}
