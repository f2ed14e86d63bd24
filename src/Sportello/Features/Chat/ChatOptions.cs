namespace Sportello.Features.Chat;

/// <summary>Sportello:Chat (CONTRACT.md, "Configuration").</summary>
public sealed class ChatOptions
{
    public const string Section = "Sportello:Chat";

    public bool Enabled { get; set; } = true;
    /// <summary>Web origins that may embed the widget (CORS for its calls and the hub); <c>*</c> for any.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
    /// <summary>Host sites that sign customer tokens, each with its own secret.</summary>
    public List<ChatSite> Sites { get; set; } = [];
    /// <summary>After this wait the widget offers to leave a message instead.</summary>
    public int MaxWaitSeconds { get; set; } = 300;
    /// <summary>Chats one agent holds at once.</summary>
    public int MaxChatsPerAgent { get; set; } = 4;
}

public sealed class ChatSite
{
    public string Origin { get; set; } = "";
    public string Secret { get; set; } = "";
}
