using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Abuse;
using Sportello.Features.Accounts;

namespace Sportello.Features.ClientArea;

/// <summary>The customer's abuse cases: reports about their services, newest first.</summary>
public sealed class AbuseCasesModel(CurrentUser current, ReadAbuseCases read) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<CustomerAbuseCaseSummary> Cases { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var page = await read.CustomerListAsync(current.Id, Sportello.Web.Page.ForScreen(Cursor, PageSize), HttpContext.RequestAborted);
        Cases = page.Items;
        NextCursor = page.NextCursor;
        return Page();
    }
}
