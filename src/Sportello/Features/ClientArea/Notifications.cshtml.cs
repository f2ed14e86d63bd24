using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Notices;

namespace Sportello.Features.ClientArea;

/// <summary>The customer's inbox: service notices about their own services, newest first.</summary>
public sealed class NotificationsModel(CurrentUser current, Inbox inbox) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<NotificationView> Notifications { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task OnGetAsync()
    {
        var page = await inbox.ListAsync(current.Id, Sportello.Web.Page.ForScreen(Cursor, PageSize), HttpContext.RequestAborted);
        Notifications = page.Items;
        NextCursor = page.NextCursor;
    }

    public async Task<IActionResult> OnPostReadAsync(Guid id) =>
        await inbox.MarkReadAsync(current.Id, id, HttpContext.RequestAborted) ? Redirect("/notifications") : NotFound();

    public async Task<IActionResult> OnPostReadAllAsync()
    {
        await inbox.MarkAllReadAsync(current.Id, HttpContext.RequestAborted);
        return Redirect("/notifications");
    }
}
