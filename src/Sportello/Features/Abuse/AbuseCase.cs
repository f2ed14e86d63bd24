using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sportello.Features.Abuse;

public static class AbuseStates
{
    /// <summary>Nothing to forward yet: no reported address could be read (the desk reads the report).</summary>
    public const string New = "new";
    /// <summary>Passed on to the customer, who has until <see cref="AbuseCase.RespondBy"/> to answer.</summary>
    public const string Forwarded = "forwarded";
    public const string CustomerResponded = "customer-responded";
    public const string Resolved = "resolved";
    /// <summary>The deadline passed without an answer.</summary>
    public const string Escalated = "escalated";
    /// <summary>About an address we do not host.</summary>
    public const string NotOurs = "not-ours";
    public static readonly string[] All = [New, Forwarded, CustomerResponded, Resolved, Escalated, NotOurs];
    /// <summary>States a new report about the same service (or unhosted address) and type still joins.</summary>
    public static readonly string[] Open = [New, Forwarded, CustomerResponded, Escalated, NotOurs];
}

/// <summary>
/// What the abuse desk follows up: the reports about one service (or one address we do not host) and one kind of
/// abuse, received within the grouping window, passed on to the customer with a deadline to answer.
/// </summary>
public sealed class AbuseCase
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The public reference the reporter and the customer quote, <c>ABU-482913</c>: random, never sequential.</summary>
    public string Reference { get; set; } = "";
    public string State { get; set; } = AbuseStates.New;
    public string Type { get; set; } = AbuseTypes.Other;
    /// <summary>The address the case is about (the service's reported address, or the unhosted one); null when none was read.</summary>
    public string? Ip { get; set; }
    /// <summary>Every reported address of its reports, comma-separated, at most 50.</summary>
    public string Ips { get; set; } = "";
    public Guid? CustomerId { get; set; }
    public Guid? ServiceId { get; set; }
    /// <summary>How many reports it holds.</summary>
    public int Reports { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastReportAt { get; set; }
    /// <summary>A security notification an agent started (a compromised host, an open resolver), rather than a report.</summary>
    public Guid? StartedById { get; set; }
    public DateTime? ForwardedAt { get; set; }
    /// <summary>The customer's deadline to answer (the case's SLA): passing it without an answer escalates the case.</summary>
    public DateTime? RespondBy { get; set; }
    public DateTime? CustomerRespondedAt { get; set; }
    public DateTime? EscalatedAt { get; set; }
    public DateTime? SuspensionRequestedAt { get; set; }
    public string? SuspensionReason { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public string? Resolution { get; set; }
    /// <summary>When the reporters were told the address is not ours.</summary>
    public DateTime? NotOursAnsweredAt { get; set; }
    /// <summary>
    /// While the case takes new reports: its service (or unhosted address) and type, <c>{service or address}|{type}</c>.
    /// Unique, so two nodes receiving reports about the same service at once make one case (the later write fails and
    /// is retried, then joins it); cleared when the case is resolved or its window passes and a new case takes the key.
    /// </summary>
    public string? GroupKey { get; set; }
    /// <summary>Changes with every change of state: two agents acting at once, one is told to look again.</summary>
    public Guid Version { get; set; } = Guid.NewGuid();

    public static string KeyOf(Guid? serviceId, string ip, string type) => $"{(serviceId is { } id ? id.ToString() : ip)}|{type}";
}

/// <summary>One report as received, with the reporter's data (for the desk only) and the evidence as the customer reads it.</summary>
public sealed class AbuseReport
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public DateTime ReceivedAt { get; set; }
    /// <summary><c>mail</c> or <c>api</c>.</summary>
    public string Source { get; set; } = AbuseSources.Mail;
    public string Format { get; set; } = AbuseFormats.Text;
    public string Type { get; set; } = AbuseTypes.Other;
    public string Ips { get; set; } = "";
    public string Urls { get; set; } = "";
    public DateTime? OccurredAt { get; set; }
    public string? ReporterName { get; set; }
    public string? ReporterEmail { get; set; }
    public bool Automatic { get; set; }
    public string? Subject { get; set; }
    /// <summary>The report's text as received (the whole raw mail is kept besides, <see cref="InboundMessageId"/>).</summary>
    public string Evidence { get; set; } = "";
    /// <summary>The evidence with the reporter's private data removed: what the customer reads and receives.</summary>
    public string CustomerEvidence { get; set; } = "";
    /// <summary>The URLs the customer may see: those that name nothing of the reporter.</summary>
    public string CustomerUrls { get; set; } = "";
    public Guid? InboundMessageId { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
}

public static class AbuseSources
{
    public const string Mail = "mail";
    public const string Api = "api";
    /// <summary>Started by an agent (a security notification).</summary>
    public const string Desk = "desk";
}

/// <summary>A message on a case between the customer and the abuse desk (by the Client Area or by mail).</summary>
public sealed class AbuseMessage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public DateTime At { get; set; }
    /// <summary><c>customer</c> or <c>agent</c>.</summary>
    public string AuthorKind { get; set; } = "";
    public Guid? AuthorId { get; set; }
    public string AuthorName { get; set; } = "";
    public string Body { get; set; } = "";
    /// <summary>How far the sender is known (as on tickets): <c>verified</c>, <c>registered</c>, <c>unverified</c>.</summary>
    public string Trust { get; set; } = "";
    public string Channel { get; set; } = "web";
    public Guid? InboundMessageId { get; set; }
}

/// <summary>The case's audit trail: every change, who made it and when.</summary>
public sealed class AbuseEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public DateTime At { get; set; }
    public Guid? ActorId { get; set; }
    public string Kind { get; set; } = "";
    public string? Detail { get; set; }
    /// <summary>1, 2, 3... per case: the order of the trail.</summary>
    public int Sequence { get; set; }
}

public static class AbuseEventKinds
{
    public const string Created = "created";
    public const string ReportAdded = "report-added";
    public const string AddressAssigned = "address-assigned";
    /// <summary>A mail on the case's thread from someone who may not answer it (kept for admins, not shown as an answer).</summary>
    public const string ReplyRefused = "reply-refused";
    public const string Forwarded = "forwarded";
    public const string Acknowledged = "acknowledged";
    public const string CustomerResponded = "customer-responded";
    public const string AgentMessage = "agent-message";
    public const string SuspensionRequested = "suspension-requested";
    public const string Resolved = "resolved";
    public const string Escalated = "escalated";
    public const string NotOursAnswered = "not-ours-answered";
}

internal sealed class AbuseConfiguration :
    IEntityTypeConfiguration<AbuseCase>, IEntityTypeConfiguration<AbuseReport>, IEntityTypeConfiguration<AbuseMessage>, IEntityTypeConfiguration<AbuseEvent>
{
    public void Configure(EntityTypeBuilder<AbuseCase> c)
    {
        c.ToTable("AbuseCases");
        c.HasKey(x => x.Id);
        c.Property(x => x.Reference).HasMaxLength(12).IsRequired();
        c.HasIndex(x => x.Reference).IsUnique();
        c.Property(x => x.State).HasMaxLength(24).IsRequired();
        c.Property(x => x.Type).HasMaxLength(16).IsRequired();
        c.Property(x => x.Ip).HasMaxLength(45);
        c.Property(x => x.Ips).HasMaxLength(2400).IsRequired();
        c.Property(x => x.SuspensionReason).HasMaxLength(2000);
        c.Property(x => x.Resolution).HasMaxLength(2000);
        c.Property(x => x.Version).IsConcurrencyToken();
        // The queue by state, newest first; grouping by service or address; the deadline sweep; a customer's cases.
        c.HasIndex(x => new { x.State, x.Id });
        c.Property(x => x.GroupKey).HasMaxLength(80);
        c.HasIndex(x => x.GroupKey).IsUnique();
        c.HasIndex(x => x.ServiceId);
        c.HasIndex(x => new { x.State, x.RespondBy });
        c.HasIndex(x => new { x.CustomerId, x.Id });
        c.HasIndex(x => x.CreatedAt);
    }

    public void Configure(EntityTypeBuilder<AbuseReport> r)
    {
        r.ToTable("AbuseReports");
        r.HasKey(x => x.Id);
        r.HasOne<AbuseCase>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        r.HasIndex(x => new { x.CaseId, x.ReceivedAt });
        r.Property(x => x.Source).HasMaxLength(8).IsRequired();
        r.Property(x => x.Format).HasMaxLength(8).IsRequired();
        r.Property(x => x.Type).HasMaxLength(16).IsRequired();
        r.Property(x => x.Ips).HasMaxLength(2400).IsRequired();
        r.Property(x => x.Urls).HasMaxLength(50_000).IsRequired();
        r.Property(x => x.CustomerUrls).HasMaxLength(50_000).IsRequired();
        r.Property(x => x.ReporterName).HasMaxLength(200);
        r.Property(x => x.ReporterEmail).HasMaxLength(320);
        r.Property(x => x.Subject).HasMaxLength(200);
        r.Property(x => x.Evidence).IsRequired();
        r.Property(x => x.CustomerEvidence).IsRequired();
        r.HasIndex(x => x.InboundMessageId);
    }

    public void Configure(EntityTypeBuilder<AbuseMessage> m)
    {
        m.ToTable("AbuseMessages");
        m.HasKey(x => x.Id);
        m.HasOne<AbuseCase>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        m.HasIndex(x => new { x.CaseId, x.At });
        m.Property(x => x.AuthorKind).HasMaxLength(16).IsRequired();
        m.Property(x => x.AuthorName).HasMaxLength(200).IsRequired();
        m.Property(x => x.Body).IsRequired();
        m.Property(x => x.Trust).HasMaxLength(16).IsRequired();
        m.Property(x => x.Channel).HasMaxLength(8).IsRequired();
    }

    public void Configure(EntityTypeBuilder<AbuseEvent> e)
    {
        e.ToTable("AbuseEvents");
        e.HasKey(x => x.Id);
        e.HasOne<AbuseCase>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.CaseId, x.Sequence });
        e.Property(x => x.Kind).HasMaxLength(32).IsRequired();
        e.Property(x => x.Detail).HasMaxLength(1000);
    }
}

public sealed class AbuseOptions
{
    public const string Section = "Sportello:Abuse";
    /// <summary>Reports on the same service (or unhosted address) and type within this many hours join one case.</summary>
    public int GroupingHours { get; set; } = 24;
    /// <summary>Hours the customer has to answer a forwarded case before it is escalated.</summary>
    public int ResponseHours { get; set; } = 24;
}

/// <summary>
/// Adds an entry to a case's audit trail, in the same unit of work as the change it records. Entries are numbered per
/// case (<see cref="AbuseEvent.Sequence"/>), so the trail reads in the order things happened even within one instant.
/// </summary>
public static class AbuseAudit
{
    /// <summary>An instant as the trail writes it for people: <c>2026-11-25 13:30 UTC</c>.</summary>
    public static string Utc(DateTime? at) =>
        at?.ToString("yyyy'-'MM'-'dd HH':'mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    public static async Task RecordAsync(Data.SportelloDb db, Guid caseId, Guid? actorId, string kind, string? detail, DateTime at)
    {
        var added = db.ChangeTracker.Entries<AbuseEvent>().Where(e => e.State == EntityState.Added && e.Entity.CaseId == caseId)
            .Select(e => e.Entity.Sequence).DefaultIfEmpty(0).Max();
        var stored = added > 0 ? 0 : await db.AbuseEvents.Where(e => e.CaseId == caseId).Select(e => (int?)e.Sequence).MaxAsync() ?? 0;
        db.AbuseEvents.Add(new AbuseEvent
        {
            CaseId = caseId,
            ActorId = actorId,
            Kind = kind,
            Detail = detail is { Length: > 1000 } ? detail[..1000] : detail,
            At = at,
            Sequence = Math.Max(added, stored) + 1,
        });
    }
}
