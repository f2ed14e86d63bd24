using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;

namespace Sportello.Features.ClientArea;

public sealed class TicketsModel(CurrentUser current, ListCustomerTickets listTickets) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<TicketResponse> Tickets { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var result = await listTickets.HandleAsync(current.Id, Sportello.Web.Page.ForScreen(Cursor, PageSize), HttpContext.RequestAborted);
        Tickets = result.Items;
        NextCursor = result.NextCursor;
        return Page();
    }
}
