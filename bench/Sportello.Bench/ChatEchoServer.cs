// The chat benchmark's baseline (issue 11, "Performance"): a bare SignalR hub at /hubs/chat with the same methods, groups
// and events as Sportello's ChatHub, that checks nothing and persists nothing. It runs as its own process, like Sportello
// in the benchmark, so its memory and CPU can be read apart from the load driver's.
// Usage: -- chat-echo-server --urls http://127.0.0.1:PORT [--redis host:port]
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sportello.Bench;

internal static class ChatEchoServer
{
    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var signalR = builder.Services.AddSignalR();
        if (builder.Configuration["redis"] is { Length: > 0 } redis)
        {
            // The same backplane and channel prefix as Sportello's (Features/Tickets/TicketsFeature.cs).
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("echo"));
        }
        var app = builder.Build();
        app.MapGet("/health/ready", () => Results.Ok());
        app.MapHub<EchoHub>("/hubs/chat");
        await app.RunAsync();
    }
}

/// <summary>What Sportello's <c>chatMessage</c> event carries (ChatMessageView), so both send the same bytes.</summary>
internal sealed record EchoMessage(Guid ConversationId, long Seq, EchoAuthor Author, string Body, DateTime CreatedAt, bool Internal, IReadOnlyList<object> Attachments);

internal sealed record EchoAuthor(string Kind, string Name);

/// <summary>What Sportello's <c>chatMarks</c> event carries (ChatMarks).</summary>
internal sealed record EchoMarks(Guid ConversationId, string Side, long Delivered, long Read);

/// <summary>ChatHub's shape without its work: joins the same groups, numbers messages in memory, and pushes them after answering.</summary>
internal sealed class EchoHub(IHubContext<EchoHub> hub) : Hub
{
    private static readonly ConcurrentDictionary<Guid, StrongBox<long>> Sequences = new();

    private static string Visitor(Guid id) => $"chat:{id:N}:visitor";
    private static string Staff(Guid id) => $"chat:{id:N}:staff";

    public async Task<List<EchoMessage>> Join(Guid conversationId, string visitorToken, long after)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, Visitor(conversationId));
        await Groups.AddToGroupAsync(Context.ConnectionId, "chat-queue:technical");
        return [];
    }

    public Task WatchQueue() => Groups.AddToGroupAsync(Context.ConnectionId, "chats:technical");

    public async Task<List<EchoMessage>> Watch(Guid conversationId, long after)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, Staff(conversationId));
        return [];
    }

    public EchoMessage Send(Guid conversationId, string visitorToken, string body) => Push(conversationId, "visitor", "Visitor", body, false);

    public EchoMessage Answer(Guid conversationId, string body, bool isInternal) => Push(conversationId, "agent", "Agent", body, isInternal);

    /// <summary>Delivered and read marks, as the widget sends them: pushed to the other side, stored nowhere.</summary>
    public EchoMarks Seen(Guid conversationId, string visitorToken, long seq, bool read) => Marks(conversationId, "visitor", seq, read, Staff(conversationId));

    public EchoMarks AgentSeen(Guid conversationId, long seq, bool read) => Marks(conversationId, "staff", seq, read, Visitor(conversationId));

    private EchoMarks Marks(Guid conversationId, string side, long seq, bool read, string otherSide)
    {
        var marks = new EchoMarks(conversationId, side, seq, read ? seq : 0);
        _ = hub.Clients.Group(otherSide).SendAsync("chatMarks", marks);
        return marks;
    }

    private EchoMessage Push(Guid conversationId, string kind, string name, string body, bool isInternal)
    {
        var seq = Interlocked.Increment(ref Sequences.GetOrAdd(conversationId, _ => new StrongBox<long>()).Value);
        var message = new EchoMessage(conversationId, seq, new EchoAuthor(kind, name), body.Trim(), DateTime.UtcNow, isInternal, []);
        // As ChatSignals does: not awaited, to the staff's group and (for a public message) the visitor's.
        _ = hub.Clients.Groups(isInternal ? [Staff(conversationId)] : [Staff(conversationId), Visitor(conversationId)]).SendAsync("chatMessage", message);
        return message;
    }
}
