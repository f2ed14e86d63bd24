using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Accounts.Pages;

/// <summary>The link mailed to the old and the new address; like every confirmation link, opening it only shows a button.</summary>
[AllowAnonymous]
public sealed class ConfirmEmailChangeModel(ChangeEmail changeEmail) : PageModel
{
    public EmailChangeStep? Step { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string token)
    {
        Step = await changeEmail.ConfirmAsync(token, HttpContext.RequestAborted);
        if (Step == EmailChangeStep.Invalid)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        return Page();
    }
}
