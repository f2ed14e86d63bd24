using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Abuse;
using Sportello.Features.Accounts;

namespace Sportello.Features.ClientArea;

/// <summary>
/// One abuse case as the customer reads it: what was reported about which service, the deadline, the evidence without
/// the reporter's data, the messages, and the answer form (the API's use case).
/// </summary>
public sealed class AbuseCaseModel(CurrentUser current, ReadAbuseCases read, AnswerAbuseCase answer) : PageModel
{
    public CustomerAbuseCaseDetail Case { get; private set; } = null!;

    [BindProperty]
    public string? Body { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid caseId) => await LoadAsync(caseId) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAnswerAsync(Guid caseId)
    {
        var outcome = await answer.AsCustomerAsync(current.Id, caseId, Body, HttpContext.RequestAborted);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            return await LoadAsync(caseId) ? Page() : NotFound();
        }
        return Redirect($"/abuse-cases/{caseId}");
    }

    private async Task<bool> LoadAsync(Guid caseId)
    {
        if (await read.CustomerDetailAsync(current.Id, caseId, HttpContext.RequestAborted) is not { } detail)
        {
            return false;
        }
        Case = detail;
        return true;
    }
}
