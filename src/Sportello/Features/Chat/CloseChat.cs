using Microsoft.EntityFrameworkCore;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// Ending a chat: the visitor (with a rating from 1 to 5 and a comment, also after the agent closed it) or an agent of
/// its department. Closing twice is harmless.
/// </summary>
public sealed class CloseChat(ChatAccess access, ChatTranscript transcript, ChatSignals signals, TimeProvider clock)
{
    public const int MaxComment = 2000;

    public async Task<Outcome<Conversation>?> AsVisitorAsync(Guid conversationId, string? visitorToken, CloseChatRequest request, CancellationToken cancellationToken = default)
    {
        if (await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is not { } conversation)
        {
            return null;
        }
        var errors = new ValidationErrors();
        if (request.Rating is not null and not (>= 1 and <= 5))
        {
            errors.Add("rating", "rating is a whole number from 1 to 5.");
        }
        if (request.Comment?.Trim().Length > MaxComment)
        {
            errors.Add("comment", "comment is at most {0} characters.", MaxComment);
        }
        if (errors.Any)
        {
            return Outcome<Conversation>.Invalid(errors);
        }
        if (request.Rating is { } rating)
        {
            conversation.Rating = rating;
            conversation.RatingComment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim();
        }
        return await CloseAsync(conversation, "The visitor ended the chat.", cancellationToken);
    }

    public async Task<Outcome<Conversation>?> AsAgentAsync(User agent, Guid conversationId, CancellationToken cancellationToken = default)
    {
        if (await access.StaffAsync(agent.Id, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        return await CloseAsync(conversation, $"{agent.Name} ended the chat.", cancellationToken);
    }

    private async Task<Outcome<Conversation>> CloseAsync(Conversation conversation, string note, CancellationToken cancellationToken)
    {
        var wasOpen = conversation.Status != ChatStatus.Closed;
        if (wasOpen)
        {
            conversation.Status = ChatStatus.Closed;
            conversation.ClosedAt = clock.GetUtcNow().UtcDateTime;
        }
        try
        {
            if (wasOpen)
            {
                var message = await transcript.AppendAsync(conversation, ChatNotes.System(note), cancellationToken);
                signals.Message(message);
            }
            else
            {
                await transcript.SaveAsync(cancellationToken);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            return Outcome<Conversation>.Invalid(new ValidationErrors().Add("status", "The chat changed meanwhile: try again."));
        }
        signals.Changed(conversation);
        return Outcome<Conversation>.Ok(conversation);
    }
}
