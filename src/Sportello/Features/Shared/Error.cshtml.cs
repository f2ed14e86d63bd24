using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Shared;

[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";
    public string Explanation { get; private set; } = "The error has been recorded. Please try again in a moment.";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        code ??= Response.StatusCode;
        (Title, Explanation) = code switch
        {
            404 => ("Page not found", "There is nothing at this address, or you may not see it."),
            403 => ("Not allowed", "Your account may not open this page."),
            429 => ("Too many requests", "Wait a minute and try again."),
            400 => ("Bad request", "The request could not be understood."),
            409 => ("Changed meanwhile", "Someone changed this at the same moment. Go back, reload and try again."),
            _ => (Title, Explanation),
        };
        if (code is >= 400 and < 600 && code != 500)
        {
            Response.StatusCode = code.Value;
        }
    }
}
