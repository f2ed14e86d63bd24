using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// An agent of the chat's department takes a waiting chat (through REST whatever their console availability). Taking
/// one's own active chat again is fine; one another agent holds, or a closed one, is a conflict (409, naming
/// <c>status</c>); so is a chat beyond the agent's limit of chats at once.
/// </summary>
public sealed class AcceptChat(SportelloDb db, ChatAccess access, ChatTranscript transcript, ChatSignals signals, TimeProvider clock,
    IOptionsMonitor<ChatOptions> options)
{
    public async Task<Outcome<Conversation>?> HandleAsync(User agent, Guid conversationId, CancellationToken cancellationToken = default)
    {
        if (await access.StaffAsync(agent.Id, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        var errors = new ValidationErrors();
        if (conversation.Status == ChatStatus.Active && conversation.AgentId == agent.Id)
        {
            return Outcome<Conversation>.Ok(conversation);
        }
        if (conversation.Status == ChatStatus.Closed)
        {
            errors.Add("status", "The chat is closed.");
        }
        else if (conversation.Status == ChatStatus.Active)
        {
            errors.Add("status", "Another agent has taken this chat.");
        }
        else if (await HeldAsync(agent.Id, cancellationToken) >= options.CurrentValue.MaxChatsPerAgent)
        {
            errors.Add("status", "You hold {0} chats already: close or transfer one first.", options.CurrentValue.MaxChatsPerAgent);
        }
        if (errors.Any)
        {
            return Outcome<Conversation>.Invalid(errors);
        }
        conversation.Status = ChatStatus.Active;
        conversation.AgentId = agent.Id;
        conversation.AcceptedAt = clock.GetUtcNow().UtcDateTime;
        ChatMessage note;
        try
        {
            note = await transcript.AppendAsync(conversation, ChatNotes.System($"{agent.Name} joined the chat."), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Outcome<Conversation>.Invalid(new ValidationErrors().Add("status", "Another agent has taken this chat."));
        }
        signals.Changed(conversation);
        signals.Message(note);
        return Outcome<Conversation>.Ok(conversation);
    }

    /// <summary>How many chats the agent holds now, and how many they may (<see cref="ChatOptions.MaxChatsPerAgent"/>).</summary>
    public async Task<(int Held, int Limit)> LoadAsync(Guid agentId, CancellationToken cancellationToken = default) =>
        (await HeldAsync(agentId, cancellationToken), options.CurrentValue.MaxChatsPerAgent);

    private Task<int> HeldAsync(Guid agentId, CancellationToken cancellationToken) =>
        db.Conversations.CountAsync(c => c.AgentId == agentId && c.Status == ChatStatus.Active, cancellationToken);
}

/// <summary>Sportello's own lines in a transcript.</summary>
internal static class ChatNotes
{
    public static ChatMessage System(string body, bool isInternal = false) =>
        new() { AuthorKind = ChatAuthors.System, AuthorName = "Sportello", Body = body, Internal = isInternal };
}
