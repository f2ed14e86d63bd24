namespace Sportello.Features.Chat;

/// <summary>
/// An agent's availability for chat, as they set it on the console. "Online" counts only while their console is
/// connected: it calls in every <see cref="ChatAvailability.HeartbeatSeconds"/>, and an agent whose last connection
/// closed is taken as away once the heartbeats stop. Kept in the database, so every node sees the same.
/// </summary>
public sealed class AgentPresence
{
    public Guid UserId { get; set; }
    public string Status { get; set; } = Availability.Offline;
    public DateTime LastSeenAt { get; set; }
}

public static class Availability
{
    public const string Online = "online";
    public const string Away = "away";
    public const string Offline = "offline";
    public static readonly string[] All = [Online, Away, Offline];
}
