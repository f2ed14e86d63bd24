using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Sportello.Features.Accounts;
using Sportello.Features.Mail;

namespace Sportello.Features.Admin;

/// <summary>The mail pipeline for admins: intake lag, last mail per listener and mailbox, outbox backlog and failures, quarantine.</summary>
public sealed class MailModel(
    ReadMailSummary readSummary, ListInboundMail inbound, ListOutboxMail outbox, ReprocessInboundMail reprocess, RetryOutboxMail retry,
    IOptions<MailOptions> options, TimeProvider clock) : PageModel
{
    public MailPipelineSummary Summary { get; private set; } = null!;
    public string? NotReady { get; private set; }
    public string? Stall { get; private set; }
    public List<InboundView> Quarantine { get; private set; } = [];
    public List<OutboxView> OutboxTrouble { get; private set; } = [];
    public List<InboundView> Recent { get; private set; } = [];
    public string TimeZone { get; private set; } = "UTC";
    public DateTime Now { get; private set; }
    public MailOptions Options => options.Value;

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Now = clock.GetUtcNow().UtcDateTime;
        TimeZone = User.TimeZone();
        Summary = await readSummary.HandleAsync(ct);
        NotReady = Summary.NotReady();
        Stall = Summary.Stall(Now);
        Quarantine = await inbound.QuarantinedAsync(50, ct);
        OutboxTrouble = await outbox.TroubleAsync(50, ct);
        Recent = await inbound.NewestAsync(null, 20, ct);
    }

    public async Task<IActionResult> OnPostReprocessAsync(Guid inboundId) =>
        await reprocess.HandleAsync(inboundId, HttpContext.RequestAborted) ? RedirectToPage() : NotFound();

    public async Task<IActionResult> OnPostRetryAsync(Guid outboxId) =>
        await retry.HandleAsync(outboxId, HttpContext.RequestAborted) ? RedirectToPage() : NotFound();
}
