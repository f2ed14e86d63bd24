using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sportello.Features.Mail.Outbound;

public static class OutboxStates
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    /// <summary>Refused for good (5xx) or out of attempts: shown to admins.</summary>
    public const string Failed = "failed";
    /// <summary>Accepted by the relay, then a delivery report said it could not be delivered.</summary>
    public const string Bounced = "bounced";
}

public static class MailKinds
{
    public const string TicketOpened = "ticket-opened";
    public const string AutoReply = "auto-reply";
    public const string AgentReply = "agent-reply";
    public const string StatusChanged = "status-changed";
    public const string SlaEscalation = "sla-escalation";
    public const string AddressConfirmation = "address-confirmation";
    public const string AgentReplyRefused = "agent-reply-refused";
    public const string EmailChange = "email-change";
    public const string ChatTranscriptConfirmation = "chat-transcript-confirmation";
    public const string ChatTranscript = "chat-transcript";
    public const string ServiceNotice = "service-notice";
    public const string StatusSubscriptionConfirmation = "status-subscription-confirmation";
    public const string StatusUpdate = "status-update";
    public const string Invoice = "invoice";
    public const string CreditNote = "credit-note";
    public const string OrderConfirmation = "order-confirmation";
}

/// <summary>
/// An outgoing mail, written in the same transaction as the change that causes it and delivered afterwards by
/// <see cref="OutboxWorker"/>. Its Message-ID is fixed per event and recipient, so a retry is the same mail.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }
    public string MessageId { get; set; } = "";
    public string Kind { get; set; } = "";
    public Guid? TicketId { get; set; }
    public string ToAddress { get; set; } = "";
    public string Subject { get; set; } = "";
    /// <summary>The complete message as sent: the same bytes go to the relay or to <c>mail-out/</c>.</summary>
    public byte[] Mime { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public string State { get; set; } = OutboxStates.Pending;
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? ClaimedUntil { get; set; }
    public Guid? ClaimToken { get; set; }
    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> message)
    {
        message.ToTable("OutboxMessages");
        message.HasKey(m => m.Id);
        message.Property(m => m.MessageId).HasMaxLength(250).IsRequired();
        message.HasIndex(m => m.MessageId).IsUnique();
        message.Property(m => m.Kind).HasMaxLength(40).IsRequired();
        message.Property(m => m.ToAddress).HasMaxLength(320).IsRequired();
        message.Property(m => m.Subject).HasMaxLength(400).IsRequired();
        message.Property(m => m.State).HasMaxLength(20).IsRequired();
        message.HasIndex(m => new { m.State, m.NextAttemptAt });
        message.HasIndex(m => m.TicketId);
        message.Property(m => m.LastError).HasMaxLength(1000);
        message.Property(m => m.Mime).Metadata.SetValueComparer(Data.ByReference.Bytes);
        // Saving a delivery checks the claim is still this worker's, so it never writes over another node's.
        message.Property(m => m.ClaimToken).IsConcurrencyToken();
    }
}
