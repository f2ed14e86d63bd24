using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Notices;

namespace Sportello.Features.Admin;

/// <summary>Admins: one notice, its updates, who was notified by which channel and what failed; the form that posts an update.</summary>
public sealed class NoticeModel(ReadNotices read, UpdateNotice update, ResolutionReply resolutionReply, CurrentUser current) : PageModel
{
    public sealed class InputModel
    {
        public string? Status { get; set; }
        public string? BodyEn { get; set; }
        public string? BodyIt { get; set; }
        public string? StartsAt { get; set; }
        public string? EndsAt { get; set; }
        public string? TimeZone { get; set; }
        /// <summary>The reply to the linked tickets when an incident is resolved (prefilled with the template; emptied, none is sent).</summary>
        public string? ReplyEn { get; set; }
        public string? ReplyIt { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public NoticeDetail Detail { get; private set; } = null!;

    /// <summary>Who was notified, a page at a time (<c>?cursor=</c>).</summary>
    public Web.Paged<NoticeRecipientView> Recipients { get; private set; } = new([], null);

    public async Task<IActionResult> OnGetAsync(Guid noticeId, string? cursor)
    {
        Input.TimeZone = User.TimeZone();
        if (!await LoadAsync(noticeId, cursor))
        {
            return NotFound();
        }
        var title = Detail.Notice.Title;
        Input.ReplyEn = resolutionReply.Template(Notice.Pick("en", title.En ?? "", title.It ?? ""), "en");
        Input.ReplyIt = resolutionReply.Template(Notice.Pick("it", title.En ?? "", title.It ?? ""), "it");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid noticeId)
    {
        var outcome = await update.HandleAsync(current.Id, noticeId,
            new NoticeUpdateRequest(Input.Status, new NoticeText(Input.BodyEn, Input.BodyIt), Input.StartsAt, Input.EndsAt, Input.TimeZone,
                Input.Status == NoticeStatuses.Resolved ? new NoticeText(Input.ReplyEn ?? "", Input.ReplyIt ?? "") : null),
            HttpContext.RequestAborted);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is not null)
        {
            return Redirect($"/admin/notices/{noticeId}");
        }
        outcome.Errors.CopyTo(this, "Input.", name => name switch { "body" => "bodyEn", "ticketReply" => "replyEn", _ => name });
        return await LoadAsync(noticeId) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid noticeId, string? cursor = null)
    {
        if (await read.DetailAsync(noticeId, HttpContext.RequestAborted) is not { } detail)
        {
            return false;
        }
        Detail = detail;
        Recipients = await read.RecipientsAsync(noticeId, Web.Page.ForScreen(cursor, 100), HttpContext.RequestAborted);
        return true;
    }
}
