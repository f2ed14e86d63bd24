using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Notices.Pages;

/// <summary>
/// The unsubscribe link of every status mail. Opening it shows a button; a POST unsubscribes, whether it is the button
/// or a mail client's one-click request (RFC 8058: <c>List-Unsubscribe=One-Click</c>, sent without a page, hence no
/// antiforgery token: the secret in the path is the credential, and it can do nothing but unsubscribe).
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class UnsubscribeModel(StatusSubscriptions subscriptions) : PageModel
{
    public StatusLinkResult? Result { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string token)
    {
        Result = await subscriptions.UnsubscribeAsync(token, HttpContext.RequestAborted);
        if (Result == StatusLinkResult.Invalid)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        return Page();
    }
}
