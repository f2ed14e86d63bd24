using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Accounts.Pages;
using Sportello.Features.Services;

namespace Sportello.Features.ClientArea;

public sealed class IndexModel(SportelloDb db) : PageModel
{
    public string Name { get; private set; } = "";
    public List<Service> Services { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!User.IsInRole(Roles.Customer))
        {
            return LocalRedirect(Home.For(User, null));
        }
        Name = User.DisplayName();
        Services = await ServicesFeature.OfCustomerAsync(db, User.UserId(), HttpContext.RequestAborted);
        return Page();
    }
}
