using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Abuse;
using Sportello.Features.Accounts;

namespace Sportello.Features.Desk;

/// <summary>An agent of the abuse desk starts a security notification about one of our addresses; the customer gets it as a report.</summary>
public sealed class AbuseNoticeModel(CurrentUser current, AbuseAccess access, OpenSecurityNotice open) : PageModel
{
    [BindProperty]
    public string? Ip { get; set; }

    [BindProperty]
    public string? Type { get; set; } = AbuseTypes.Compromised;

    [BindProperty]
    public string? Evidence { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await access.WorksAbuseAsync(current.Id, HttpContext.RequestAborted) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await open.HandleAsync(current.Id, new SecurityNoticeRequest(Ip, Type, Evidence), HttpContext.RequestAborted) is not { } outcome)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            return Page();
        }
        return Redirect($"/desk/abuse/{outcome.Value.CaseId}");
    }
}
