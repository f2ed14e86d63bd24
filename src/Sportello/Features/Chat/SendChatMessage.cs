using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// A message in a chat: the visitor's (with their token), or an agent's of the chat's department (public, or an
/// internal note the visitor never receives). An agent's public message on a waiting chat accepts it. A closed chat
/// takes no more messages (409, naming <c>status</c>).
/// </summary>
public sealed class SendChatMessage(ChatAccess access, ChatTranscript transcript, ChatSignals signals, AcceptChat accept)
{
    public async Task<Outcome<ChatMessage>?> AsVisitorAsync(Guid conversationId, string? visitorToken, string? body, CancellationToken cancellationToken = default)
    {
        if (await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is not { } conversation)
        {
            return null;
        }
        if (Check(conversation, body) is { } invalid)
        {
            return invalid;
        }
        var message = await transcript.AppendAsync(conversation, new ChatMessage
        {
            AuthorKind = ChatAuthors.Visitor, AuthorName = conversation.VisitorName ?? "Visitor", Body = body!.Trim(),
        }, cancellationToken);
        signals.Message(conversation, message);
        return Outcome<ChatMessage>.Ok(message);
    }

    public async Task<Outcome<ChatMessage>?> AsAgentAsync(User agent, Guid conversationId, string? body, bool isInternal, CancellationToken cancellationToken = default)
    {
        if (await access.StaffAsync(agent.Id, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        if (Check(conversation, body) is { } invalid)
        {
            return invalid;
        }
        if (!isInternal && conversation.Status == ChatStatus.Waiting)
        {
            var accepted = await accept.HandleAsync(agent, conversationId, cancellationToken);
            if (accepted?.Value is null)
            {
                return accepted is null ? null : Outcome<ChatMessage>.Invalid(accepted.Errors);
            }
            conversation = accepted.Value;
        }
        var message = await transcript.AppendAsync(conversation, new ChatMessage
        {
            AuthorKind = ChatAuthors.Agent, AuthorId = agent.Id, AuthorName = agent.Name, Body = body!.Trim(), Internal = isInternal,
        }, cancellationToken);
        signals.Message(conversation, message);
        return Outcome<ChatMessage>.Ok(message);
    }

    private static Outcome<ChatMessage>? Check(Conversation conversation, string? body)
    {
        var errors = new ValidationErrors();
        if (conversation.Status == ChatStatus.Closed)
        {
            errors.Add("status", "The chat is closed.");
        }
        else if (string.IsNullOrWhiteSpace(body))
        {
            errors.Add("body", "body is required.");
        }
        else if (body.Trim().Length > StartChat.MaxBody)
        {
            errors.Add("body", "body is at most {0} characters.", StartChat.MaxBody);
        }
        return errors.Any ? Outcome<ChatMessage>.Invalid(errors) : null;
    }
}
