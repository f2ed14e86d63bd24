using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Notices;

namespace Sportello.Features.Admin;

/// <summary>Admins: one notice, its updates, who was notified by which channel and what failed; the form that posts an update.</summary>
public sealed class NoticeModel(ReadNotices read, UpdateNotice update, CurrentUser current) : PageModel
{
    public sealed class InputModel
    {
        public string? Status { get; set; }
        public string? BodyEn { get; set; }
        public string? BodyIt { get; set; }
        public string? StartsAt { get; set; }
        public string? EndsAt { get; set; }
        public string? TimeZone { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public NoticeDetail Detail { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid noticeId)
    {
        Input.TimeZone = User.TimeZone();
        return await LoadAsync(noticeId) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostAsync(Guid noticeId)
    {
        var outcome = await update.HandleAsync(current.Id, noticeId,
            new NoticeUpdateRequest(Input.Status, new NoticeText(Input.BodyEn, Input.BodyIt), Input.StartsAt, Input.EndsAt, Input.TimeZone),
            HttpContext.RequestAborted);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is not null)
        {
            return Redirect($"/admin/notices/{noticeId}");
        }
        outcome.Errors.CopyTo(this, "Input.", name => name == "body" ? "bodyEn" : name);
        return await LoadAsync(noticeId) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid noticeId)
    {
        if (await read.DetailAsync(noticeId, HttpContext.RequestAborted) is not { } detail)
        {
            return false;
        }
        Detail = detail;
        return true;
    }
}
