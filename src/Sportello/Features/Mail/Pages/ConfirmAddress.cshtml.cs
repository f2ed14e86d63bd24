using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Mail.Pages;

/// <summary>
/// The link mailed to a new notification address. Opening it only shows a button: mail scanners that follow links
/// must not confirm on the owner's behalf, so the confirmation is a POST.
/// </summary>
[AllowAnonymous]
public sealed class ConfirmAddressModel(NotificationAddresses addresses) : PageModel
{
    public NotificationAddress? Confirmed { get; private set; }
    public bool Invalid { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string token)
    {
        Confirmed = await addresses.ConfirmAsync(token, HttpContext.RequestAborted);
        if (Confirmed is null)
        {
            Invalid = true;
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        return Page();
    }
}
