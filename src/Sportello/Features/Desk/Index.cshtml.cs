using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;

namespace Sportello.Features.Desk;

public sealed class IndexModel(CurrentUser current, ReadDeskQueue readQueue, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Department { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Assignee { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<TicketResponse> Tickets { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Now = clock.GetUtcNow().UtcDateTime;
        var result = await readQueue.HandleAsync(current.Id, new ReadDeskQueue.Query(Department, Status, Assignee, null, Cursor), HttpContext.RequestAborted);
        if (result.Errors.Any)
        {
            return BadRequest();
        }
        Tickets = result.Tickets;
        NextCursor = result.NextCursor;
        return Page();
    }
}
