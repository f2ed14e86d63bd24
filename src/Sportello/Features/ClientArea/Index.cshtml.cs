using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Accounts.Pages;
using Sportello.Features.Services;

namespace Sportello.Features.ClientArea;

public sealed class IndexModel(SportelloDb db) : PageModel
{
    public string Name { get; private set; } = "";
    public List<Service> Services { get; private set; } = [];
    public int OpenTickets { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!User.IsInRole(Roles.Customer))
        {
            return LocalRedirect(Home.For(User, null));
        }
        Name = User.DisplayName();
        var me = User.UserId();
        Services = await ServicesFeature.OfCustomerAsync(db, me, HttpContext.RequestAborted);
        OpenTickets = await db.Tickets.CountAsync(t => t.CustomerId == me && t.Status != Tickets.TicketStatus.Closed, HttpContext.RequestAborted);
        return Page();
    }
}
