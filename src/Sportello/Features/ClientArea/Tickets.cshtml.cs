using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;

namespace Sportello.Features.ClientArea;

public sealed class TicketsModel(SportelloDb db) : PageModel
{
    public List<Ticket> Tickets { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!User.IsInRole(Roles.Customer))
        {
            return Redirect("/desk");
        }
        var me = User.UserId();
        Tickets = await db.Tickets.AsNoTracking().Where(t => t.CustomerId == me)
            .OrderByDescending(t => t.Id).Take(200).ToListAsync(HttpContext.RequestAborted);
        return Page();
    }
}
