using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Mail;

/// <summary>The mail pipeline at a glance for admins: intake lag, last mail per source, outbox backlog and failures, quarantine, TLS.</summary>
public sealed class ReadMailSummary(SportelloDb db, MailPipelineState state, IOptions<MailOptions> options, TimeProvider clock)
{
    public Task<MailPipelineSummary> HandleAsync(CancellationToken cancellationToken = default) =>
        MailPipelineSummary.ReadAsync(db, state, options.Value, clock.GetUtcNow().UtcDateTime, cancellationToken);

    /// <summary>Mail that needs an admin: quarantined on the way in, failed or bounced on the way out.</summary>
    public async Task<int> ProblemsAsync(CancellationToken cancellationToken = default) =>
        await db.InboundMessages.CountAsync(m => m.State == InboundStates.Quarantined, cancellationToken)
        + await db.OutboxMessages.CountAsync(m => m.State == OutboxStates.Failed || m.State == OutboxStates.Bounced, cancellationToken);
}
