using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// A message in a chat: the visitor's (with their token), or an agent's of the chat's department (public, or an
/// internal note the visitor never receives). An agent's public message on a waiting chat accepts it. A closed chat
/// takes no more messages (409, naming <c>status</c>).
/// </summary>
public sealed class SendChatMessage(ChatAccess access, ChatTranscript transcript, ChatSignals signals, AcceptChat accept, Data.SportelloDb db)
{
    public async Task<Outcome<ChatMessage>?> AsVisitorAsync(Guid conversationId, string? visitorToken, string? body, CancellationToken cancellationToken = default)
    {
        if (await access.PeekAsVisitorAsync(conversationId, visitorToken, cancellationToken) is not { } chat)
        {
            return null;
        }
        return Check(chat.Status, body) ?? await AppendAsync(chat.Id, new ChatMessage
        {
            AuthorKind = ChatAuthors.Visitor, AuthorName = chat.VisitorName ?? "Visitor", Body = body!.Trim(),
        });
    }

    public Task<Outcome<ChatMessage>?> AsAgentAsync(User agent, Guid conversationId, string? body, bool isInternal, CancellationToken cancellationToken = default) =>
        AsAgentAsync(new ChatAgent(agent.Id, agent.Name), conversationId, body, isInternal, cancellationToken);

    /// <summary>
    /// An agent writes. <paramref name="agent"/> is who they are (the hub knows it from the connection, without
    /// loading the user for every message); their departments are read as for any Desk request.
    /// </summary>
    public async Task<Outcome<ChatMessage>?> AsAgentAsync(ChatAgent agent, Guid conversationId, string? body, bool isInternal, CancellationToken cancellationToken = default)
    {
        var scope = await access.ScopeAsync(agent.Id, cancellationToken);
        if (await access.PeekAsStaffAsync(scope, conversationId, cancellationToken) is not { } chat)
        {
            return null;
        }
        if (Check(chat.Status, body) is { } invalid)
        {
            return invalid;
        }
        if (!isInternal && chat.Status == ChatStatus.Waiting)
        {
            var user = await db.Users.FindAsync([agent.Id], cancellationToken);
            var accepted = user is null ? null : await accept.HandleAsync(user, conversationId, cancellationToken);
            if (accepted?.Value is null)
            {
                return accepted is null ? null : Outcome<ChatMessage>.Invalid(accepted.Errors);
            }
        }
        return await AppendAsync(chat.Id, new ChatMessage
        {
            AuthorKind = ChatAuthors.Agent, AuthorId = agent.Id, AuthorName = agent.Name, Body = body!.Trim(), Internal = isInternal,
        });
    }

    private async Task<Outcome<ChatMessage>> AppendAsync(Guid conversationId, ChatMessage message)
    {
        // Not cancelled with the request: once queued, the message is written whether or not the sender still waits.
        if (await transcript.AppendToOpenAsync(conversationId, message) is null)
        {
            return Closed();
        }
        signals.Message(message);
        return Outcome<ChatMessage>.Ok(message);
    }

    private static Outcome<ChatMessage> Closed()
    {
        var errors = new ValidationErrors();
        errors.Add("status", "The chat is closed.");
        return Outcome<ChatMessage>.Invalid(errors);
    }

    private static Outcome<ChatMessage>? Check(string status, string? body)
    {
        if (status == ChatStatus.Closed)
        {
            return Closed();
        }
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(body))
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

/// <summary>An agent as a message names them.</summary>
public sealed record ChatAgent(Guid Id, string Name);
