using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sportello.Features.Mail.Inbound;

public static class InboundStates
{
    /// <summary>Stored and acknowledged; waiting for the intake worker.</summary>
    public const string Received = "received";
    public const string Processed = "processed";
    /// <summary>Unreadable or hostile: kept for an admin, with the reason; never a ticket.</summary>
    public const string Quarantined = "quarantined";
    /// <summary>Mail to the abuse address: a report on an abuse case, never a ticket.</summary>
    public const string AbuseReport = "abuse-report";
    /// <summary>The customer's answer to an abuse case.</summary>
    public const string AbuseAnswer = "abuse-answer";
}

/// <summary>
/// A mail as it arrived, stored before it is acknowledged (SMTP 250, IMAP flag), so nothing acknowledged is lost;
/// the intake worker turns it into a ticket, a reply, or a delivery report afterwards.
/// </summary>
public sealed class InboundMessage
{
    public Guid Id { get; set; }
    /// <summary>Where it came from: <c>smtp</c>, or <c>imap:{mailbox name}</c>.</summary>
    public string Source { get; set; } = "smtp";
    public DateTime ReceivedAt { get; set; }
    public string? RemoteAddress { get; set; }
    /// <summary>The SMTP envelope sender (MAIL FROM); empty for bounces.</summary>
    public string? EnvelopeFrom { get; set; }
    /// <summary>The envelope recipients, comma-separated.</summary>
    public string Recipients { get; set; } = "";
    /// <summary>The Message-ID, or a hash of the raw bytes when there is none: the same message twice is one.</summary>
    public string DedupKey { get; set; } = "";
    public long Size { get; set; }
    public byte[] Raw { get; set; } = [];

    public string State { get; set; } = InboundStates.Received;
    public int Attempts { get; set; }
    /// <summary>A worker holds the message until then; a crashed worker's claim simply runs out.</summary>
    public DateTime? ClaimedUntil { get; set; }
    public Guid? ClaimToken { get; set; }
    public DateTime? ProcessedAt { get; set; }
    /// <summary>What became of it (<see cref="InboundOutcomes"/>).</summary>
    public string? Outcome { get; set; }
    /// <summary>Why: the quarantine reason, or why no automatic answer was sent.</summary>
    public string? Reason { get; set; }
    /// <summary>The sender check, e.g. <c>dkim=pass (example.it)</c>.</summary>
    public string? Authentication { get; set; }
    public string? FromAddress { get; set; }
    public string? Subject { get; set; }
    public Guid? TicketId { get; set; }
    /// <summary>The abuse case it reported to or answered.</summary>
    public Guid? AbuseCaseId { get; set; }
}

public static class InboundOutcomes
{
    public const string TicketOpened = "ticket-opened";
    public const string Appended = "appended";
    public const string AgentReplied = "agent-replied";
    public const string AgentReplyRefused = "agent-reply-refused";
    public const string DeliveryReport = "delivery-report";
    public const string Ignored = "ignored";
    public const string Quarantined = "quarantined";
    /// <summary>Mail to the abuse address: a report on an abuse case, never a ticket.</summary>
    public const string AbuseReport = "abuse-report";
    /// <summary>The customer's answer to an abuse case.</summary>
    public const string AbuseAnswer = "abuse-answer";
}

internal sealed class InboundMessageConfiguration : IEntityTypeConfiguration<InboundMessage>
{
    public void Configure(EntityTypeBuilder<InboundMessage> message)
    {
        message.ToTable("InboundMessages");
        message.HasKey(m => m.Id);
        message.Property(m => m.Source).HasMaxLength(80).IsRequired();
        message.Property(m => m.RemoteAddress).HasMaxLength(64);
        message.Property(m => m.EnvelopeFrom).HasMaxLength(320);
        message.Property(m => m.Recipients).HasMaxLength(4000).IsRequired();
        message.Property(m => m.DedupKey).HasMaxLength(1000).IsRequired();
        message.HasIndex(m => m.DedupKey).IsUnique();
        message.Property(m => m.State).HasMaxLength(20).IsRequired();
        message.HasIndex(m => new { m.State, m.ReceivedAt });
        message.HasIndex(m => new { m.Source, m.ReceivedAt });
        message.HasIndex(m => m.ProcessedAt);
        message.Property(m => m.ClaimToken).IsConcurrencyToken();
        // Never changed once stored: compared by reference, so tracking a batch does not copy and compare megabytes.
        message.Property(m => m.Raw).Metadata.SetValueComparer(Data.ByReference.Bytes);
        message.Property(m => m.Outcome).HasMaxLength(40);
        message.Property(m => m.Reason).HasMaxLength(1000);
        message.Property(m => m.Authentication).HasMaxLength(400);
        message.Property(m => m.FromAddress).HasMaxLength(320);
        message.Property(m => m.Subject).HasMaxLength(200);
    }
}
