using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Accounts;

namespace Sportello.Features.Mail;

/// <summary>The kinds of mail a customer can send to more addresses (Client Area → account → "Send email").</summary>
public static class NotificationTypes
{
    public const string Invoices = "invoices";
    public const string Support = "support";
    public const string Abuse = "abuse";
    public static readonly string[] All = [Invoices, Support, Abuse];
}

/// <summary>
/// One more address that receives one type of mail, besides the registered address. It receives nothing but its
/// confirmation link until the link is opened.
/// </summary>
public sealed class NotificationAddress
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Type { get; set; } = NotificationTypes.Support;
    /// <summary>Lower-cased, so one address is one row per type.</summary>
    public string Address { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? ConfirmedAt { get; set; }
    /// <summary>SHA-256 of the link's secret; cleared when the link is used, so it works once.</summary>
    public string? TokenHash { get; set; }
    public DateTime? TokenExpiresAt { get; set; }
    /// <summary>Set when a delivery report said mail to it cannot be delivered.</summary>
    public DateTime? UndeliverableAt { get; set; }
}

internal sealed class NotificationAddressConfiguration : IEntityTypeConfiguration<NotificationAddress>
{
    public void Configure(EntityTypeBuilder<NotificationAddress> address)
    {
        address.ToTable("NotificationAddresses");
        address.HasKey(a => a.Id);
        address.Property(a => a.Type).HasMaxLength(20).IsRequired();
        address.Property(a => a.Address).HasMaxLength(320).IsRequired();
        address.HasIndex(a => new { a.UserId, a.Type, a.Address }).IsUnique();
        address.HasIndex(a => a.Address);
        address.Property(a => a.TokenHash).HasMaxLength(64);
        address.HasIndex(a => a.TokenHash);
        address.HasOne<User>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>When a stranger's address last got an automatic answer: at most one per interval (loop guard).</summary>
public sealed class AutoReplyRecord
{
    public string Address { get; set; } = "";
    public DateTime LastSentAt { get; set; }
}

internal sealed class AutoReplyRecordConfiguration : IEntityTypeConfiguration<AutoReplyRecord>
{
    public void Configure(EntityTypeBuilder<AutoReplyRecord> record)
    {
        record.ToTable("AutoReplies");
        record.HasKey(r => r.Address);
        record.Property(r => r.Address).HasMaxLength(320);
    }
}

/// <summary>A key the nodes share (the Message-ID signing key), created once in the database.</summary>
public sealed class SharedSecret
{
    public string Name { get; set; } = "";
    public byte[] Value { get; set; } = [];
}

internal sealed class SharedSecretConfiguration : IEntityTypeConfiguration<SharedSecret>
{
    public void Configure(EntityTypeBuilder<SharedSecret> secret)
    {
        secret.ToTable("SharedSecrets");
        secret.HasKey(s => s.Name);
        secret.Property(s => s.Name).HasMaxLength(50);
    }
}
