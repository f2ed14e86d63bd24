using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Mail;

/// <summary>
/// An admin sends a failed mail again, from the first attempt (after the cause was fixed, say a relay setting).
/// False when there is no such failed mail.
/// </summary>
public sealed class RetryOutboxMail(SportelloDb db, TimeProvider clock)
{
    public async Task<bool> HandleAsync(Guid outboxId, CancellationToken cancellationToken = default)
    {
        var changed = await db.OutboxMessages.Where(m => m.Id == outboxId && m.State == OutboxStates.Failed)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.State, OutboxStates.Pending)
                .SetProperty(x => x.Attempts, 0)
                .SetProperty(x => x.ClaimedUntil, (DateTime?)null)
                .SetProperty(x => x.ClaimToken, (Guid?)null)
                .SetProperty(x => x.NextAttemptAt, clock.GetUtcNow().UtcDateTime), cancellationToken);
        if (changed == 0)
        {
            return false;
        }
        MailWake.OutboxSignal.Set();
        return true;
    }
}
