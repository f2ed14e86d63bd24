using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>
/// How many automatic answers an address may get: at most one per <c>AutoReplyIntervalMinutes</c>, so a forged From
/// or another robot cannot make us mail-bomb anyone. Records are shared through the database (several nodes); the
/// ones this unit of work touched are kept here, since asking the change tracker would rescan every tracked row.
/// </summary>
public sealed class AnswerBudget(SportelloDb db, IOptions<MailOptions> options)
{
    private readonly Dictionary<string, AutoReplyRecord> seen = new(StringComparer.Ordinal);

    /// <summary>True, and the answer is counted, when <paramref name="address"/> may get one now.</summary>
    public async Task<bool> TrySpendAsync(string address, DateTime now, CancellationToken cancellationToken)
    {
        if (!seen.TryGetValue(address, out var record))
        {
            record = await db.AutoReplies.FirstOrDefaultAsync(r => r.Address == address, cancellationToken);
        }
        if (record is not null && record.LastSentAt > now.AddMinutes(-options.Value.AutoReplyIntervalMinutes))
        {
            return false;
        }
        if (record is null)
        {
            record = new AutoReplyRecord { Address = address, LastSentAt = now };
            db.AutoReplies.Add(record);
        }
        else
        {
            record.LastSentAt = now;
        }
        seen[address] = record;
        return true;
    }
}
