using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Accounts;

namespace Sportello.Features.Notices;

internal sealed class NoticeConfiguration : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> notice)
    {
        notice.ToTable("Notices");
        notice.HasKey(n => n.Id);
        notice.Property(n => n.Kind).HasMaxLength(20).IsRequired();
        notice.Property(n => n.Status).HasMaxLength(20).IsRequired();
        notice.Property(n => n.TitleEn).HasMaxLength(PublishNotice.MaxTitle).IsRequired();
        notice.Property(n => n.TitleIt).HasMaxLength(PublishNotice.MaxTitle).IsRequired();
        notice.Property(n => n.BodyEn).IsRequired();
        notice.Property(n => n.BodyIt).IsRequired();
        notice.Property(n => n.Version).IsConcurrencyToken();
        notice.Ignore(n => n.Public);
        // The status page and the worker: open notices by start; the admin list newest first.
        notice.HasIndex(n => n.StartsAt);
        notice.HasIndex(n => n.CreatedAt);
        notice.HasOne<User>().WithMany().HasForeignKey(n => n.CreatedById).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class NoticeUpdateConfiguration : IEntityTypeConfiguration<NoticeUpdate>
{
    public void Configure(EntityTypeBuilder<NoticeUpdate> update)
    {
        update.ToTable("NoticeUpdates");
        update.HasKey(u => u.Id);
        update.Property(u => u.Status).HasMaxLength(20).IsRequired();
        update.Property(u => u.BodyEn).IsRequired();
        update.Property(u => u.BodyIt).IsRequired();
        update.HasIndex(u => new { u.NoticeId, u.CreatedAt });
        // What the worker still has to deliver.
        update.HasIndex(u => u.DeliveredAt);
        update.HasIndex(u => u.MailedAt);
        update.HasIndex(u => u.SubscribersAt);
        update.HasOne<Notice>().WithMany().HasForeignKey(u => u.NoticeId).OnDelete(DeleteBehavior.Cascade);
        update.HasOne<User>().WithMany().HasForeignKey(u => u.AuthorId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class NoticeRecipientConfiguration : IEntityTypeConfiguration<NoticeRecipient>
{
    public void Configure(EntityTypeBuilder<NoticeRecipient> recipient)
    {
        recipient.ToTable("NoticeRecipients");
        recipient.HasKey(r => new { r.NoticeId, r.CustomerId });
        recipient.HasOne<Notice>().WithMany().HasForeignKey(r => r.NoticeId).OnDelete(DeleteBehavior.Cascade);
        recipient.HasOne<User>().WithMany().HasForeignKey(r => r.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> notification)
    {
        notification.ToTable("Notifications");
        notification.HasKey(n => n.Id);
        notification.Property(n => n.Kind).HasMaxLength(20).IsRequired();
        notification.Property(n => n.Title).HasMaxLength(PublishNotice.MaxTitle).IsRequired();
        notification.Property(n => n.Body).IsRequired();
        notification.Property(n => n.Services).IsRequired();
        // The inbox, newest first, and its unread badge.
        notification.HasIndex(n => new { n.UserId, n.CreatedAt });
        notification.HasIndex(n => new { n.UserId, n.ReadAt });
        // One notification per update and customer, ever: a fan-out that resumes cannot notify anyone twice.
        notification.HasIndex(n => new { n.NoticeUpdateId, n.UserId }).IsUnique();
        notification.HasOne<User>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        notification.HasOne<Notice>().WithMany().HasForeignKey(n => n.NoticeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CalendarKeyConfiguration : IEntityTypeConfiguration<CalendarKey>
{
    public void Configure(EntityTypeBuilder<CalendarKey> key)
    {
        key.ToTable("CalendarKeys");
        key.HasKey(k => k.UserId);
        key.Property(k => k.TokenHash).HasMaxLength(64).IsRequired();
        key.Property(k => k.TokenProtected).HasMaxLength(1000).IsRequired();
        key.HasIndex(k => k.TokenHash).IsUnique();
        key.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
