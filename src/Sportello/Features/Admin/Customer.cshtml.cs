using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Services;

namespace Sportello.Features.Admin;

public sealed class CustomerModel(ReadCustomer readCustomer, ListServices listServices, AddService addService) : PageModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public string? Product { get; set; }
        public string? Location { get; set; }
        public string? OrderNumber { get; set; }
        public string? IpAddresses { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public User Customer { get; private set; } = null!;
    public List<Service> Services { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid customerId) => await LoadAsync(customerId) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid customerId)
    {
        var addresses = (Input.IpAddresses ?? "").Split(['\n', ',', ' ', '\r'], StringSplitOptions.RemoveEmptyEntries).ToList();
        var outcome = await addService.HandleAsync(customerId,
            new AddServiceRequest(Input.Name, Input.Product, Input.Location, Input.OrderNumber, addresses), HttpContext.RequestAborted);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is not null)
        {
            return Redirect($"/admin/customers/{customerId}");
        }
        // The form has one box for every address.
        outcome.Errors.CopyTo(this, "Input.", field => field.StartsWith("ipAddresses", StringComparison.Ordinal) ? "ipAddresses" : field);
        await LoadAsync(customerId);
        return Page();
    }

    private async Task<bool> LoadAsync(Guid customerId)
    {
        if (await readCustomer.HandleAsync(customerId, HttpContext.RequestAborted) is not { } customer)
        {
            return false;
        }
        Customer = customer;
        Services = await listServices.AllAsync(customerId, HttpContext.RequestAborted);
        return true;
    }
}
