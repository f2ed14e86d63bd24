using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Chat;

/// <summary>
/// Where a waiting chat stands: 1 is next for its department (chats that started at the same instant go in the order of
/// their ids, which grow with time); and about how long that takes.
/// </summary>
public sealed class ChatQueue(SportelloDb db)
{
    /// <summary>How many recent pickups of the department the estimate averages.</summary>
    public const int Sample = 20;

    public async Task<int> PositionAsync(Conversation conversation, CancellationToken cancellationToken = default) =>
        conversation.Status != ChatStatus.Waiting ? 0
        : await db.Conversations.CountAsync(c => c.Status == ChatStatus.Waiting && c.Department == conversation.Department
            && (c.WaitingSince < conversation.WaitingSince || (c.WaitingSince == conversation.WaitingSince && c.Id.CompareTo(conversation.Id) < 0)),
            cancellationToken) + 1;

    /// <summary>
    /// The expected wait of a chat at <paramref name="position"/>: the average time the department's last
    /// <see cref="Sample"/> chats waited to be accepted, times the position; null without any history.
    /// </summary>
    public async Task<int?> ExpectedWaitSecondsAsync(string department, int position, CancellationToken cancellationToken = default)
    {
        if (position <= 0)
        {
            return null;
        }
        var recent = await db.Conversations.AsNoTracking()
            .Where(c => c.Department == department && c.AcceptedAt != null)
            .OrderByDescending(c => c.AcceptedAt).Take(Sample)
            .Select(c => new { c.WaitingSince, AcceptedAt = c.AcceptedAt!.Value }).ToListAsync(cancellationToken);
        var waits = recent.Select(r => Math.Max(0, (r.AcceptedAt - r.WaitingSince).TotalSeconds)).ToList();
        return waits.Count == 0 ? null : (int)Math.Ceiling(waits.Average() * position);
    }
}
