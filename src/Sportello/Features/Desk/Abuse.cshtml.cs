using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Abuse;
using Sportello.Features.Accounts;

namespace Sportello.Features.Desk;

/// <summary>The abuse queue: cases newest first, of one state or all; for the abuse desk and admins only (404 for others).</summary>
public sealed class AbuseModel(CurrentUser current, ReadAbuseCases read, TimeProvider clock) : PageModel
{
    public const string AllStates = "all";

    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<AbuseCaseSummary> Cases { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Now = clock.GetUtcNow().UtcDateTime;
        var state = State is null or "" or AllStates ? null : State;
        var errors = ReadAbuseCases.CheckState(state);
        // The check names a bad state, but only someone who works the abuse desk learns of it: anyone else gets 404 first.
        if (await read.QueueAsync(current.Id, errors is null ? state : null, Sportello.Web.Page.ForScreen(Cursor), HttpContext.RequestAborted) is not { } queue)
        {
            return NotFound();
        }
        if (errors is not null)
        {
            errors.CopyTo(this);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Cases = queue.Items;
        NextCursor = queue.NextCursor;
        return Page();
    }
}
