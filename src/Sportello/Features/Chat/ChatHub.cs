using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Sportello.Features.Accounts;

namespace Sportello.Features.Chat;

/// <summary>
/// Live chat for the widget and the Desk's console. Visitors connect anonymously and prove each conversation with its
/// token; staff connect with their session or an API token and hear their departments. Methods answer a missing
/// conversation and another's (another visitor's, another department's) alike: "not found".
/// Sending goes through the same use cases as REST, so every message is committed, numbered, then broadcast.
/// </summary>
/// <remarks>
/// Each method takes the services it uses as parameters (SignalR resolves them per call), so a message does not pay
/// for building what only other methods need.
/// </remarks>
public sealed class ChatHub : Hub
{
    public const string Path = "/hubs/chat";
    /// <summary>Anyone may connect; a session cookie or an API token, when present, makes the connection staff's.</summary>
    public const string Policy = "chat-hub";

    public static string Visitor(Guid id) => $"chat:{id:N}:visitor";
    public static string Staff(Guid id) => $"chat:{id:N}:staff";
    public static string Desk(string department) => $"chats:{department}";
    public static string Queue(string department) => $"chat-queue:{department}";

    /// <summary>The visitor joins their conversation and gets what follows <paramref name="after"/>.</summary>
    public async Task<List<ChatMessageView>> Join(Guid conversationId, string visitorToken, long after, ReadChat read, ChatAccess access)
    {
        var conversation = await access.VisitorAsync(conversationId, visitorToken) ?? throw NotFound();
        // In the group before reading: a message stored meanwhile is then pushed, read, or both (the widget keeps one per
        // number), never neither. Read first, one stored between the read and the join was lost until the next reconnect.
        await Groups.AddToGroupAsync(Context.ConnectionId, Visitor(conversationId));
        // Only a waiting visitor cares how the queue moves (with thousands connected, every push would be a read each).
        if (conversation.Status == ChatStatus.Waiting)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, Queue(conversation.Department));
        }
        var (_, messages) = await read.JoinAsync(conversationId, visitorToken, after) ?? throw NotFound();
        return messages.Value ?? throw new HubException("after is a sequence number, 0 or more.");
    }

    /// <summary>Where the visitor stands now (status, queue position, the ticket it became).</summary>
    public async Task<ChatStateView> State(Guid conversationId, string visitorToken, ReadChat read) =>
        await read.StateAsync(conversationId, visitorToken) ?? throw NotFound();

    /// <summary>The visitor writes; the answer is the message as stored, with its sequence number.</summary>
    public async Task<ChatMessageView> Send(Guid conversationId, string visitorToken, string body, SendChatMessage send,
        [FromKeyedServices(ChatFeature.MessageThrottle)] Web.Throttle throttle)
    {
        // The same limit as REST: messages per conversation and minute.
        if (throttle.TryAcquire(conversationId.ToString()) is not null)
        {
            throw new HubException("Too many messages: wait a moment.");
        }
        var outcome = await send.AsVisitorAsync(conversationId, visitorToken, body) ?? throw NotFound();
        return outcome.Value is { } message ? ChatMessageView.From(message) : throw Invalid(outcome.Errors);
    }

    public async Task Typing(Guid conversationId, string visitorToken, ChatAccess access, ChatSignals signals)
    {
        if (await access.VisitorAsync(conversationId, visitorToken) is { } conversation)
        {
            signals.Typing(conversationId, ChatAuthors.Visitor, conversation.VisitorName);
        }
    }

    /// <summary>The visitor's widget received (and, with <paramref name="read"/>, showed) every message up to <paramref name="seq"/>.</summary>
    public async Task<ChatMarks> Seen(Guid conversationId, string visitorToken, long seq, bool read, MarkChatSeen marks)
    {
        var outcome = await marks.AsVisitorAsync(conversationId, visitorToken, seq, read) ?? throw NotFound();
        return outcome.Value ?? throw Invalid(outcome.Errors);
    }

    /// <summary>Staff: the console received (and, with <paramref name="read"/>, showed) every message up to <paramref name="seq"/>.</summary>
    public async Task<ChatMarks> AgentSeen(Guid conversationId, long seq, bool read, ChatAccess access, MarkChatSeen marks)
    {
        var scope = await StaffScopeAsync(access);
        var outcome = await marks.AsStaffAsync(scope.UserId, conversationId, seq, read) ?? throw NotFound();
        return outcome.Value ?? throw Invalid(outcome.Errors);
    }

    /// <summary>Staff: follow the chats of their departments (the console's list).</summary>
    public async Task WatchQueue(ChatAccess access)
    {
        var scope = await StaffScopeAsync(access);
        foreach (var department in scope.IsAdmin ? StartChat.Departments : scope.Departments)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, Desk(department));
        }
    }

    /// <summary>Staff: the console is still open (every <see cref="ChatAvailability.HeartbeatSeconds"/> seconds), keeping "online" alive.</summary>
    public async Task Heartbeat(ChatAccess access, ChatAvailability availability) => await availability.HeartbeatAsync((await StaffScopeAsync(access)).UserId);

    /// <summary>Staff: online, away or offline for chat.</summary>
    public async Task<string> SetAvailability(string status, ChatAccess access, ChatAvailability availability)
    {
        var outcome = await availability.SetAsync((await StaffScopeAsync(access)).UserId, status);
        return outcome.Value?.Status ?? throw Invalid(outcome.Errors);
    }

    /// <summary>Staff: follow one chat (every message, internal notes too) and get what follows <paramref name="after"/>.</summary>
    public async Task<List<ChatMessageView>> Watch(Guid conversationId, long after, ChatAccess access, ReadChat read)
    {
        var scope = await StaffScopeAsync(access);
        var messages = await read.AsStaffAsync(scope.UserId, conversationId, after) ?? throw NotFound();
        await Groups.AddToGroupAsync(Context.ConnectionId, Staff(conversationId));
        return messages.Value ?? throw new HubException("after is a sequence number, 0 or more.");
    }

    /// <summary>Staff: an agent writes (a public answer, or an internal note).</summary>
    public async Task<ChatMessageView> Answer(Guid conversationId, string body, bool isInternal, ChatAccess access, SendChatMessage send, Data.SportelloDb db)
    {
        var scope = await StaffScopeAsync(access);
        // The name messages carry is read once per connection (a rename shows from the console's next connection).
        if (Context.Items[AgentKey] is not ChatAgent me)
        {
            var name = await db.Users.Where(u => u.Id == scope.UserId).Select(u => u.Name).FirstOrDefaultAsync() ?? throw NotFound();
            Context.Items[AgentKey] = me = new ChatAgent(scope.UserId, name);
        }
        var outcome = await send.AsAgentAsync(me, conversationId, body, isInternal) ?? throw NotFound();
        return outcome.Value is { } message ? ChatMessageView.From(message) : throw Invalid(outcome.Errors);
    }

    public async Task AgentTyping(Guid conversationId, ChatAccess access, ChatSignals signals)
    {
        var scope = await StaffScopeAsync(access);
        if (await access.StaffAsync(scope.UserId, conversationId) is not null)
        {
            signals.Typing(conversationId, ChatAuthors.Agent, Context.User?.DisplayName());
        }
    }

    private async Task<DeskScope> StaffScopeAsync(ChatAccess access)
    {
        var user = Context.User;
        if (user?.Identity?.IsAuthenticated != true || !(user.IsInRole(Roles.Agent) || user.IsInRole(Roles.Admin)))
        {
            throw new HubException("Only agents may do this.");
        }
        return await access.ScopeAsync(user.UserId());
    }

    private static readonly object AgentKey = new();

    private static HubException NotFound() => new("Not found.");

    private static HubException Invalid(Web.ValidationErrors errors) =>
        new(string.Join(" ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
}
