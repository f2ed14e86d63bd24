using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Accounts;
using Sportello.Features.Services;

namespace Sportello.Features.Tickets;

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> ticket)
    {
        ticket.ToTable("Tickets");
        ticket.HasKey(t => t.Id);
        ticket.Property(t => t.Number).HasMaxLength(10).IsRequired();
        ticket.HasIndex(t => t.Number).IsUnique();
        // The references nearly every ticket leaves empty are indexed where they are set only: an empty one costs no
        // index entry, on disk nor in each write that moves the row (an SLA mark, a reply). "x = @p" implies
        // "x IS NOT NULL", so both databases still use these for lookups and foreign-key checks.
        ticket.HasIndex(t => t.SourceChatId).IsUnique().HasFilter("\"SourceChatId\" IS NOT NULL");
        // A notice's linked tickets (counted on the Desk, answered when it is resolved).
        ticket.HasIndex(t => t.NoticeId).HasFilter("\"NoticeId\" IS NOT NULL");
        ticket.HasIndex(t => t.InvoiceId).HasFilter("\"InvoiceId\" IS NOT NULL");
        ticket.HasIndex(t => t.OrderId).HasFilter("\"OrderId\" IS NOT NULL");
        ticket.HasIndex(t => t.MergedIntoId).HasFilter("\"MergedIntoId\" IS NOT NULL");
        ticket.HasOne<Notices.Notice>().WithMany().HasForeignKey(t => t.NoticeId).OnDelete(DeleteBehavior.SetNull);
        ticket.Property(t => t.Department).HasMaxLength(20).IsRequired();
        ticket.Property(t => t.Priority).HasMaxLength(10).IsRequired();
        ticket.Property(t => t.Status).HasMaxLength(20).IsRequired();
        ticket.Property(t => t.Channel).HasMaxLength(10).IsRequired();
        ticket.Property(t => t.Subject).HasMaxLength(200).IsRequired();
        ticket.Property(t => t.ServiceName).HasMaxLength(200);
        ticket.Property(t => t.ProblemTimeZone).HasMaxLength(64);
        ticket.Property(t => t.RequesterEmail).HasMaxLength(320);
        ticket.Property(t => t.Trust).HasMaxLength(12).IsRequired();
        ticket.Property(t => t.Tag).HasMaxLength(20);
        ticket.HasIndex(t => new { t.CustomerId, t.CreatedAt });
        // A customer's list, newest first (ids are time-ordered): read in index order, never sorted, however many they have.
        ticket.HasIndex(t => new { t.CustomerId, t.Id });
        // The Desk queue in working order, to the last key: a page (any page, by its keyset cursor) is an index range.
        // Only tickets in the queue (a rank) are in it: a tenth of a grown desk, not the closed years.
        ticket.HasIndex(t => new { t.QueueRank, t.DueAt, t.CreatedAt, t.Id }).HasFilter("\"QueueRank\" IS NOT NULL");
        // The SLA monitor's two marks: only running clocks not marked yet are in these (a few), not every ticket.
        ticket.HasIndex(t => t.DueAt).HasDatabaseName("IX_Tickets_DueAt_Unbreached").HasFilter("\"DueAt\" IS NOT NULL AND \"BreachedAt\" IS NULL");
        ticket.HasIndex(t => t.AtRiskDueAt).HasDatabaseName("IX_Tickets_AtRiskDueAt_Unmarked").HasFilter("\"AtRiskDueAt\" IS NOT NULL AND \"AtRiskAt\" IS NULL");
        // The SLA report's period, covering the columns it reads: a range of this index, not a scan of the table.
        ticket.HasIndex(t => new { t.CreatedAt, t.MergedIntoId, t.Department, t.Priority, t.Channel, t.FirstResponseDueAt, t.FirstRespondedAt })
            .HasDatabaseName("IX_Tickets_SlaReport");
        ticket.Property(t => t.Version).IsConcurrencyToken();
        ticket.HasOne<User>().WithMany().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Restrict);
        ticket.HasOne<User>().WithMany().HasForeignKey(t => t.AssigneeId).OnDelete(DeleteBehavior.SetNull);
        ticket.HasOne<Service>().WithMany().HasForeignKey(t => t.ServiceId).OnDelete(DeleteBehavior.SetNull);
        // Issued invoices and placed orders are never deleted: a ticket naming one keeps it.
        ticket.HasOne<Billing.Invoice>().WithMany().HasForeignKey(t => t.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        ticket.HasOne<Billing.Order>().WithMany().HasForeignKey(t => t.OrderId).OnDelete(DeleteBehavior.Restrict);
        ticket.HasOne<Ticket>().WithMany().HasForeignKey(t => t.MergedIntoId).OnDelete(DeleteBehavior.Restrict);
        ticket.HasMany(t => t.Messages).WithOne().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TicketMessageConfiguration : IEntityTypeConfiguration<TicketMessage>
{
    public void Configure(EntityTypeBuilder<TicketMessage> message)
    {
        message.ToTable("TicketMessages");
        message.HasKey(m => m.Id);
        message.Property(m => m.AuthorKind).HasMaxLength(10).IsRequired();
        message.Property(m => m.AuthorName).HasMaxLength(200).IsRequired();
        message.Property(m => m.Body).IsRequired();
        message.Property(m => m.Trust).HasMaxLength(12).IsRequired().HasDefaultValue(SenderTrust.Verified);
        message.HasIndex(m => new { m.TicketId, m.CreatedAt });
        message.HasMany(m => m.Attachments).WithOne().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AttachmentConfiguration : IEntityTypeConfiguration<Attachment>
{
    public void Configure(EntityTypeBuilder<Attachment> attachment)
    {
        attachment.ToTable("Attachments");
        attachment.HasKey(a => a.Id);
        attachment.Property(a => a.FileName).HasMaxLength(255).IsRequired();
        attachment.Property(a => a.ContentType).HasMaxLength(100).IsRequired();
        attachment.Property(a => a.Sha256).HasMaxLength(64).IsRequired();
        attachment.HasIndex(a => a.TicketId);
        attachment.HasOne<Ticket>().WithMany().HasForeignKey(a => a.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AttachmentContentConfiguration : IEntityTypeConfiguration<AttachmentContent>
{
    public void Configure(EntityTypeBuilder<AttachmentContent> content)
    {
        content.ToTable("AttachmentContents");
        content.HasKey(c => c.AttachmentId);
        content.Property(c => c.Bytes).IsRequired();
        content.HasOne<Attachment>().WithOne().HasForeignKey<AttachmentContent>(c => c.AttachmentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TicketEventConfiguration : IEntityTypeConfiguration<TicketEvent>
{
    public void Configure(EntityTypeBuilder<TicketEvent> ticketEvent)
    {
        ticketEvent.ToTable("TicketEvents");
        ticketEvent.HasKey(e => e.Id);
        ticketEvent.Property(e => e.Kind).HasMaxLength(40).IsRequired();
        ticketEvent.Property(e => e.Detail).HasMaxLength(1000);
        ticketEvent.HasIndex(e => new { e.TicketId, e.At });
        ticketEvent.HasOne<Ticket>().WithMany().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
