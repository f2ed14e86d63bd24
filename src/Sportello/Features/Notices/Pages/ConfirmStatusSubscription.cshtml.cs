using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Notices.Pages;

/// <summary>The confirmation link of a status subscription: opening it only shows a button (mail scanners open links); pressing it confirms.</summary>
[AllowAnonymous]
public sealed class ConfirmStatusSubscriptionModel(StatusSubscriptions subscriptions) : PageModel
{
    public StatusLinkResult? Result { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string token)
    {
        Result = await subscriptions.ConfirmAsync(token, HttpContext.RequestAborted);
        if (Result == StatusLinkResult.Invalid)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        return Page();
    }
}
