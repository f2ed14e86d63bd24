using Microsoft.EntityFrameworkCore;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// An agent hands a chat on: to another agent (who works its department, or the department named with them), or to
/// another department's queue, where it waits again. The note is for agents only.
/// </summary>
public sealed class TransferChat(ChatAccess access, DeskAccess desk, ChatTranscript transcript, ChatSignals signals, TimeProvider clock)
{
    public async Task<Outcome<Conversation>?> HandleAsync(User agent, Guid conversationId, TransferChatRequest request, CancellationToken cancellationToken = default)
    {
        if (await access.StaffAsync(agent.Id, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        var errors = new ValidationErrors();
        var department = string.IsNullOrWhiteSpace(request.Department) ? null : request.Department.Trim().ToLowerInvariant();
        if (conversation.Status == ChatStatus.Closed)
        {
            errors.Add("status", "The chat is closed.");
        }
        if (department is not null && !StartChat.Departments.Contains(department))
        {
            errors.Add("department", "department must be 'technical' or 'financial'.");
        }
        if (request.AgentId is null && department is null)
        {
            errors.Add("agentId", "Name an agent (agentId) or a department to transfer to.");
        }
        if (request.Note?.Trim().Length > 1000)
        {
            errors.Add("note", "note is at most 1000 characters.");
        }
        User? to = null;
        var target = department ?? conversation.Department;
        if (request.AgentId is { } agentId && !errors.Any)
        {
            to = await desk.AgentsOf(target).AsNoTracking().FirstOrDefaultAsync(u => u.Id == agentId, cancellationToken);
            if (to is null)
            {
                errors.Add("agentId", "agentId is not an agent of the {0} department.", target);
            }
        }
        if (errors.Any)
        {
            return Outcome<Conversation>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var from = conversation.Department;
        conversation.Department = target;
        if (to is not null)
        {
            conversation.Status = ChatStatus.Active;
            conversation.AgentId = to.Id;
            conversation.AcceptedAt = now;
        }
        else
        {
            conversation.Status = ChatStatus.Waiting;
            conversation.AgentId = null;
            conversation.WaitingSince = now;
        }
        var note = string.IsNullOrWhiteSpace(request.Note) ? "" : $": {request.Note.Trim()}";
        var lines = new List<ChatMessage>
        {
            ChatNotes.System(to is not null ? $"{agent.Name} passed the chat to {to.Name}." : $"{agent.Name} passed the chat to the {target} department."),
        };
        if (note.Length > 0)
        {
            lines.Add(ChatNotes.System($"Transfer note from {agent.Name}{note}", isInternal: true));
        }
        List<ChatMessage> written;
        try
        {
            written = await transcript.AppendAsync(conversation, lines, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Outcome<Conversation>.Invalid(new ValidationErrors().Add("status", "The chat changed meanwhile: try again."));
        }
        signals.Changed(conversation, from);
        foreach (var message in written)
        {
            signals.Message(message);
        }
        return Outcome<Conversation>.Ok(conversation);
    }
}
