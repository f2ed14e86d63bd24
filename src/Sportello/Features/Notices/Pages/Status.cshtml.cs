using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Notices.Pages;

/// <summary>The public status page: no sign-in, no customer data.</summary>
[AllowAnonymous]
public sealed class StatusModel(ReadStatus read) : PageModel
{
    public StatusView Status { get; private set; } = null!;

    public async Task OnGetAsync() =>
        Status = await read.HandleAsync(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en", HttpContext.RequestAborted);
}
