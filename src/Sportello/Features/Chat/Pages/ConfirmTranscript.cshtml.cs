using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Chat.Pages;

/// <summary>The link mailed to a visitor's address: opening it only shows a button (mail scanners open links), pressing it sends the transcript once.</summary>
[AllowAnonymous]
public sealed class ConfirmTranscriptModel(EmailChatTranscript transcript) : PageModel
{
    public TranscriptConfirmation? Result { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string token)
    {
        Result = await transcript.ConfirmAsync(token, HttpContext.RequestAborted);
        if (Result == TranscriptConfirmation.Invalid)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        return Page();
    }
}
