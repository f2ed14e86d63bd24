using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Services;
using Sportello.Features.Tickets;

namespace Sportello.Features.ClientArea;

public sealed class IndexModel(CurrentUser current, ListServices listServices, ListCustomerTickets listTickets) : PageModel
{
    public string Name { get; private set; } = "";
    public List<Service> Services { get; private set; } = [];
    public int OpenTickets { get; private set; }

    public async Task OnGetAsync()
    {
        Name = User.DisplayName();
        Services = await listServices.AllAsync(current.Id, HttpContext.RequestAborted);
        OpenTickets = await listTickets.CountOpenAsync(current.Id, HttpContext.RequestAborted);
    }
}
