using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Contact.Pages;

/// <summary>The public contact page: every way to reach support, with figures from the live configuration.</summary>
[AllowAnonymous]
public sealed class ContactModel(ReadContactMethods read) : PageModel
{
    public ContactMethods Methods { get; private set; } = null!;

    public async Task OnGetAsync() => Methods = await read.HandleAsync(HttpContext.RequestAborted);
}
