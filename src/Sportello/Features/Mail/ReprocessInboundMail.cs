using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Mail.Inbound;

namespace Sportello.Features.Mail;

/// <summary>
/// An admin hands a quarantined mail back to the intake (after a fix; hostile mail is simply quarantined again).
/// False when there is no such mail in quarantine.
/// </summary>
public sealed class ReprocessInboundMail(SportelloDb db)
{
    public async Task<bool> HandleAsync(Guid inboundId, CancellationToken cancellationToken = default)
    {
        var changed = await db.InboundMessages.Where(m => m.Id == inboundId && m.State == InboundStates.Quarantined)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.State, InboundStates.Received)
                .SetProperty(x => x.Attempts, 0)
                .SetProperty(x => x.ClaimedUntil, (DateTime?)null)
                .SetProperty(x => x.ClaimToken, (Guid?)null)
                .SetProperty(x => x.Outcome, (string?)null)
                .SetProperty(x => x.Reason, (string?)null), cancellationToken);
        if (changed == 0)
        {
            return false;
        }
        MailWake.IntakeSignal.Set();
        return true;
    }
}
