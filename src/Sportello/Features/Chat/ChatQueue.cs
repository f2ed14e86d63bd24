using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Chat;

/// <summary>Where a waiting chat stands: 1 is next for its department.</summary>
public sealed class ChatQueue(SportelloDb db)
{
    public async Task<int> PositionAsync(Conversation conversation, CancellationToken cancellationToken = default) =>
        conversation.Status != ChatStatus.Waiting ? 0
        : await db.Conversations.CountAsync(c => c.Status == ChatStatus.Waiting && c.Department == conversation.Department
            && c.WaitingSince < conversation.WaitingSince, cancellationToken) + 1;
}
