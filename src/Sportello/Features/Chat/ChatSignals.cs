using Microsoft.AspNetCore.SignalR;

namespace Sportello.Features.Chat;

/// <summary>
/// Tells the people in a chat what happened, after it is committed: the visitor hears public messages and their
/// chat's state, staff of the chat's department every message and every change. A lost push costs nothing: clients
/// ask for what follows the last sequence number they saw.
/// </summary>
public sealed class ChatSignals(IHubContext<ChatHub> hub, ILogger<ChatSignals> logger)
{
    public sealed record ChatChanged(Guid Id, string Status, string Department, Guid? AgentId, bool Verified, long LastSeq, Guid? TicketId);

    public void Message(ChatMessage message)
    {
        var view = ChatMessageView.From(message);
        var id = message.ConversationId;
        _ = SendAsync(message.Internal ? [ChatHub.Staff(id)] : [ChatHub.Staff(id), ChatHub.Visitor(id)], "chatMessage", view);
    }

    /// <summary>The chat's state changed: its department's consoles (and the former one's, after a transfer) and its visitor hear it; the queue behind it moves.</summary>
    public void Changed(Conversation conversation, string? formerDepartment = null)
    {
        var change = new ChatChanged(conversation.Id, conversation.Status, conversation.Department, conversation.AgentId, conversation.Verified,
            conversation.LastSeq, conversation.TicketId);
        var groups = new List<string> { ChatHub.Desk(conversation.Department), ChatHub.Visitor(conversation.Id), ChatHub.Staff(conversation.Id) };
        if (formerDepartment is not null && formerDepartment != conversation.Department)
        {
            groups.Add(ChatHub.Desk(formerDepartment));
        }
        _ = SendAsync(groups, "chatChanged", change);
        // Visitors waiting in the same queue ask for their new position.
        _ = SendAsync([ChatHub.Queue(conversation.Department), .. formerDepartment is null ? Array.Empty<string>() : [ChatHub.Queue(formerDepartment)]],
            "queueChanged", conversation.Department);
    }

    /// <summary>One side got further: the other side hears it (the visitor never hears of internal notes, only of numbers).</summary>
    public void Marks(ChatMarks marks) =>
        _ = SendAsync([marks.Side == MarkChatSeen.VisitorSide ? ChatHub.Staff(marks.ConversationId) : ChatHub.Visitor(marks.ConversationId)], "chatMarks", marks);

    public void Typing(Guid conversationId, string authorKind, string? name)
    {
        var group = authorKind == ChatAuthors.Visitor ? ChatHub.Staff(conversationId) : ChatHub.Visitor(conversationId);
        _ = SendAsync([group], "typing", new { conversationId, kind = authorKind, name });
    }

    private async Task SendAsync(IReadOnlyList<string> groups, string method, object payload)
    {
        try
        {
            await hub.Clients.Groups(groups).SendAsync(method, payload);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not push {Method} to a chat", method);
        }
    }
}
