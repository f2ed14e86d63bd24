namespace Sportello.Features.Notices;

/// <summary>
/// A service notice: scheduled maintenance, an incident or a change, told to the customers whose services it affects.
/// Its words are in English and Italian (a missing one falls back to the other); its times are UTC.
/// </summary>
public sealed class Notice
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Kind { get; set; } = NoticeKinds.Incident;
    public string TitleEn { get; set; } = "";
    public string TitleIt { get; set; } = "";
    public string BodyEn { get; set; } = "";
    public string BodyIt { get; set; } = "";
    /// <summary>When the work or the trouble starts (started); for maintenance, rescheduling moves it.</summary>
    public DateTime StartsAt { get; set; }
    public DateTime? EndsAt { get; set; }
    /// <summary>The latest update's status (the first: investigating, or scheduled).</summary>
    public string Status { get; set; } = NoticeStatuses.Investigating;
    /// <summary>What it affects (<see cref="NoticeTargets"/>): services in these locations and of these products, and these services.</summary>
    public List<string> Locations { get; set; } = [];
    public List<string> Products { get; set; } = [];
    public List<Guid> ServiceIds { get; set; } = [];
    /// <summary>Customers counted when it was published; the rows are written by <see cref="NoticeFanOut"/>.</summary>
    public int Recipients { get; set; }
    /// <summary>The recipients are resolved (and frozen: every update reaches the same customers) up to this customer, in id order.</summary>
    public Guid? ResolvedUpTo { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public DateTime? ReminderSentAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid? CreatedById { get; set; }
    /// <summary>Resolved, cancelled or completed: takes no more updates.</summary>
    public DateTime? ClosedAt { get; set; }
    /// <summary>Changes with every update: two admins updating at once, one is told to look again.</summary>
    public Guid Version { get; set; } = Guid.NewGuid();

    /// <summary>On the public status page: it names a location or a product (never a customer's service).</summary>
    public bool Public => Locations.Count > 0 || Products.Count > 0;

    public string Title(string language) => Pick(language, TitleEn, TitleIt);

    public string Body(string language) => Pick(language, BodyEn, BodyIt);

    /// <summary>The text in <paramref name="language"/>, else in the other one.</summary>
    public static string Pick(string language, string en, string it) =>
        language == "it" ? (it.Length > 0 ? it : en) : (en.Length > 0 ? en : it);
}

/// <summary>One step of a notice (its publication is the first): each is notified to the notice's customers.</summary>
public sealed class NoticeUpdate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid NoticeId { get; set; }
    public string Status { get; set; } = "";
    /// <summary>The publication itself, not a later update: its words are the notice's own.</summary>
    public bool Opening { get; set; }
    public string BodyEn { get; set; } = "";
    public string BodyIt { get; set; } = "";
    /// <summary>A rescheduled maintenance's new window.</summary>
    public DateTime? StartsAt { get; set; }
    public DateTime? EndsAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid? AuthorId { get; set; }
    /// <summary>Delivered to the recipients up to this customer, in id order; a node that stops resumes after it.</summary>
    public Guid? DeliveredUpTo { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public int Notified { get; set; }
    /// <summary>
    /// The email copies, composed after the inbox rows (so the inbox is not kept waiting by MIME): mailed up to this
    /// customer, in id order; done when <see cref="MailedAt"/> is set.
    /// </summary>
    public Guid? MailedUpTo { get; set; }
    public DateTime? MailedAt { get; set; }
    /// <summary>Mailed to the public status's subscribers up to this subscription, in id order (after the customers).</summary>
    public Guid? SubscribersUpTo { get; set; }
    /// <summary>Done with the subscribers (at once for a notice that is not public).</summary>
    public DateTime? SubscribersAt { get; set; }
    public int Subscribers { get; set; }

    public string Body(string language) => Notice.Pick(language, BodyEn, BodyIt);
}

/// <summary>A customer a notice reaches, fixed when it is published.</summary>
public sealed class NoticeRecipient
{
    public Guid NoticeId { get; set; }
    public Guid CustomerId { get; set; }
}

/// <summary>A personal notification in a customer's Client Area inbox, in their language.</summary>
public sealed class Notification
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public string Kind { get; set; } = "";
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }
    public Guid? NoticeId { get; set; }
    public Guid? NoticeUpdateId { get; set; }
    /// <summary>The customer's services it is about, as <c>[{id, name}]</c> JSON.</summary>
    public string Services { get; set; } = "[]";
    /// <summary>The email copy (an outbox row), whose state tells whether it was delivered.</summary>
    public Guid? MailId { get; set; }
}

public static class NoticeKinds
{
    public const string Maintenance = "maintenance";
    public const string Incident = "incident";
    public const string Change = "change";
    public static readonly string[] All = [Maintenance, Incident, Change];
}

public static class NoticeStatuses
{
    public const string Investigating = "investigating";
    public const string Identified = "identified";
    public const string Monitoring = "monitoring";
    public const string Resolved = "resolved";
    public const string Scheduled = "scheduled";
    public const string Rescheduled = "rescheduled";
    public const string Reminder = "reminder";
    public const string Cancelled = "cancelled";
    public const string Completed = "completed";

    /// <summary>What an admin may post on a notice of each kind (a reminder is Sportello's own).</summary>
    public static string[] Allowed(string kind) => kind switch
    {
        NoticeKinds.Incident => [Investigating, Identified, Monitoring, Resolved],
        _ => [Rescheduled, Cancelled, Completed],
    };

    /// <summary>The status a notice of <paramref name="kind"/> is published with.</summary>
    public static string First(string kind) => kind == NoticeKinds.Incident ? Investigating : Scheduled;

    public static bool Closes(string status) => status is Resolved or Cancelled or Completed;
}
