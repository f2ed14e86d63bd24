using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Abuse;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Desk;

/// <summary>
/// An abuse case as the desk works it: its reports with the reporters and the evidence as received, the messages with
/// the customer, the audit trail, and the forms that call the same use cases as the API.
/// </summary>
public sealed class AbuseCaseModel(
    CurrentUser current, ReadAbuseCases read, AssignAbuseAddress assign, MessageAbuseCustomer message, RequestSuspension suspend, ResolveAbuseCase resolve,
    AnswerNotOurs notOurs)
    : PageModel
{
    public AbuseCaseDetail Case { get; private set; } = null!;

    /// <summary>The address a new case's reports are about, when none could be read from them.</summary>
    [BindProperty]
    public string? AddressIp { get; set; }

    [BindProperty]
    public string? MessageBody { get; set; }

    [BindProperty]
    public string? SuspensionReason { get; set; }

    [BindProperty]
    public string? ResolveReason { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid caseId) => await LoadAsync(caseId) ? Page() : NotFound();

    public Task<IActionResult> OnPostAddressAsync(Guid caseId) =>
        ApplyAsync(caseId, "Address", assign.HandleAsync(current.Id, caseId, AddressIp, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostMessageAsync(Guid caseId) =>
        ApplyAsync(caseId, "Message", message.HandleAsync(current.Id, caseId, MessageBody, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostSuspensionAsync(Guid caseId) =>
        ApplyAsync(caseId, "Suspension", suspend.HandleAsync(current.Id, caseId, SuspensionReason, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostResolveAsync(Guid caseId) =>
        ApplyAsync(caseId, "Resolve", resolve.HandleAsync(current.Id, caseId, ResolveReason, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostNotOursAsync(Guid caseId) =>
        ApplyAsync(caseId, "NotOurs", notOurs.HandleAsync(current.Id, caseId, HttpContext.RequestAborted));

    /// <summary>Back to the case when done; else the case again with the errors under the form's fields (<paramref name="form"/> prefixes them).</summary>
    private async Task<IActionResult> ApplyAsync<T>(Guid caseId, string form, Task<Outcome<T>?> action) where T : class
    {
        var outcome = await action;
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this, form);
            return await LoadAsync(caseId) ? Page() : NotFound();
        }
        return Redirect($"/desk/abuse/{caseId}");
    }

    private async Task<bool> LoadAsync(Guid caseId)
    {
        if (await read.DeskDetailAsync(current.Id, caseId, HttpContext.RequestAborted) is not { } detail)
        {
            return false;
        }
        Case = detail;
        return true;
    }

    public static string Source(string source) => source switch
    {
        AbuseSources.Mail => "Mail",
        AbuseSources.Api => "API",
        _ => "Security notice by the desk",
    };

    public static string Format(string format) => format switch
    {
        AbuseFormats.Arf => "ARF (feedback loop)",
        AbuseFormats.XArf => "X-ARF",
        AbuseFormats.Xarf4 => "XARF v4",
        _ => "Free text",
    };

    public static string Event(string kind) => kind switch
    {
        AbuseEventKinds.Created => "Case opened",
        AbuseEventKinds.ReportAdded => "Report added",
        AbuseEventKinds.AddressAssigned => "Address set",
        AbuseEventKinds.Forwarded => "Forwarded to the customer",
        AbuseEventKinds.Acknowledged => "Reporter acknowledged",
        AbuseEventKinds.CustomerResponded => "Customer responded",
        AbuseEventKinds.AgentMessage => "Message to the customer",
        AbuseEventKinds.SuspensionRequested => "Suspension requested",
        AbuseEventKinds.Resolved => "Resolved",
        AbuseEventKinds.Escalated => "Escalated",
        AbuseEventKinds.NotOursAnswered => "Reporters told it is not ours",
        _ => kind,
    };
}
