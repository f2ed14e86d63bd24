using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Admin;

/// <summary>The mail pipeline for admins: intake lag, last mail per listener and mailbox, outbox backlog and failures, quarantine.</summary>
public sealed class MailModel(SportelloDb db, MailPipelineState state, IOptions<MailOptions> options, TimeProvider clock) : PageModel
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
        var now = Now = clock.GetUtcNow().UtcDateTime;
        TimeZone = User.TimeZone();
        Summary = await MailPipelineSummary.ReadAsync(db, state, options.Value, now, ct);
        NotReady = Summary.NotReady();
        Stall = Summary.Stall(now);
        Quarantine = await MailAdminApi.Inbound(db, InboundStates.Quarantined).Take(50).ToListAsync(ct);
        OutboxTrouble = await MailAdminApi.Outgoing(db.OutboxMessages
                .Where(m => m.State == OutboxStates.Failed || m.State == OutboxStates.Bounced || (m.State == OutboxStates.Pending && m.Attempts > 0)))
            .Take(50).ToListAsync(ct);
        Recent = await MailAdminApi.Inbound(db, null).Take(20).ToListAsync(ct);
    }

    /// <summary>Hands a quarantined mail back to the intake (after a fix; hostile mail is simply quarantined again).</summary>
    public async Task<IActionResult> OnPostReprocessAsync(Guid inboundId)
    {
        var changed = await db.InboundMessages.Where(m => m.Id == inboundId && m.State == InboundStates.Quarantined)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.State, InboundStates.Received)
                .SetProperty(x => x.Attempts, 0)
                .SetProperty(x => x.ClaimedUntil, (DateTime?)null)
                .SetProperty(x => x.ClaimToken, (Guid?)null)
                .SetProperty(x => x.Outcome, (string?)null)
                .SetProperty(x => x.Reason, (string?)null), HttpContext.RequestAborted);
        if (changed == 0)
        {
            return NotFound();
        }
        MailWake.IntakeSignal.Set();
        return RedirectToPage();
    }

    /// <summary>Sends a failed mail again, from the first attempt (after the cause was fixed, say a relay setting).</summary>
    public async Task<IActionResult> OnPostRetryAsync(Guid outboxId)
    {
        var changed = await db.OutboxMessages.Where(m => m.Id == outboxId && m.State == OutboxStates.Failed)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.State, OutboxStates.Pending)
                .SetProperty(x => x.Attempts, 0)
                .SetProperty(x => x.NextAttemptAt, clock.GetUtcNow().UtcDateTime), HttpContext.RequestAborted);
        if (changed == 0)
        {
            return NotFound();
        }
        MailWake.OutboxSignal.Set();
        return RedirectToPage();
    }
}
