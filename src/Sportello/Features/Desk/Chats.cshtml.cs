using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Chat;

namespace Sportello.Features.Desk;

/// <summary>The chat console's list: waiting and active chats of the agent's departments, live.</summary>
public sealed class ChatsModel(CurrentUser current, ListDeskChats list, ChatAvailability availability, AcceptChat accept, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<ChatSummary> Chats { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public DateTime Now { get; private set; }
    public string Availability { get; private set; } = Chat.Availability.Offline;
    public (int Held, int Limit) Load { get; private set; }

    public async Task OnGetAsync()
    {
        Now = clock.GetUtcNow().UtcDateTime;
        var page = await list.HandleAsync(current.Id, Sportello.Web.Page.ForScreen(Cursor), HttpContext.RequestAborted);
        Chats = page.Items;
        NextCursor = page.NextCursor;
        Availability = await availability.StatusOfAsync(current.Id, HttpContext.RequestAborted);
        Load = await accept.LoadAsync(current.Id, HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostAvailabilityAsync(string? status)
    {
        var outcome = await availability.SetAsync(current.Id, status, HttpContext.RequestAborted);
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            await OnGetAsync();
            return Page();
        }
        return RedirectToPage();
    }
}
