using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;

namespace Sportello.Features.Chat;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> conversation)
    {
        conversation.ToTable("ChatConversations");
        conversation.HasKey(c => c.Id);
        conversation.Property(c => c.Department).HasMaxLength(20).IsRequired();
        conversation.Property(c => c.Status).HasMaxLength(10).IsRequired();
        conversation.Property(c => c.VisitorTokenHash).HasMaxLength(64).IsRequired();
        conversation.Property(c => c.VisitorName).HasMaxLength(100);
        conversation.Property(c => c.VisitorEmail).HasMaxLength(320);
        conversation.Property(c => c.RatingComment).HasMaxLength(2000);
        conversation.Property(c => c.RemoteAddress).HasMaxLength(45);
        conversation.Property(c => c.Language).HasMaxLength(5).IsRequired().HasDefaultValue("en");
        conversation.Ignore(c => c.Verified);
        conversation.Property(c => c.Version).IsConcurrencyToken();
        // The Desk's list: open chats of some departments, oldest wait first.
        conversation.HasIndex(c => new { c.Status, c.Department, c.WaitingSince });
        conversation.HasIndex(c => c.AgentId);
        conversation.HasOne<User>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Restrict);
        conversation.HasOne<User>().WithMany().HasForeignKey(c => c.AgentId).OnDelete(DeleteBehavior.SetNull);
        conversation.HasOne<Ticket>().WithMany().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ChatMessageConfiguration : IEntityTypeConfiguration<ChatMessage>
{
    public void Configure(EntityTypeBuilder<ChatMessage> message)
    {
        message.ToTable("ChatMessages");
        message.HasKey(m => m.Id);
        message.Property(m => m.AuthorKind).HasMaxLength(10).IsRequired();
        message.Property(m => m.AuthorName).HasMaxLength(200).IsRequired();
        message.Property(m => m.Body).IsRequired();
        // One number per message and conversation: a reconnecting client asks for what follows the last it saw.
        message.HasIndex(m => new { m.ConversationId, m.Seq }).IsUnique();
        message.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        message.HasMany(m => m.Attachments).WithOne().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChatAttachmentConfiguration : IEntityTypeConfiguration<ChatAttachment>
{
    public void Configure(EntityTypeBuilder<ChatAttachment> attachment)
    {
        attachment.ToTable("ChatAttachments");
        attachment.HasKey(a => a.Id);
        attachment.Property(a => a.FileName).HasMaxLength(255).IsRequired();
        attachment.Property(a => a.ContentType).HasMaxLength(100).IsRequired();
        attachment.Property(a => a.Sha256).HasMaxLength(64).IsRequired();
        attachment.HasIndex(a => a.ConversationId);
        attachment.HasOne<Conversation>().WithMany().HasForeignKey(a => a.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChatAttachmentContentConfiguration : IEntityTypeConfiguration<ChatAttachmentContent>
{
    public void Configure(EntityTypeBuilder<ChatAttachmentContent> content)
    {
        content.ToTable("ChatAttachmentContents");
        content.HasKey(c => c.AttachmentId);
        content.HasOne<ChatAttachment>().WithOne().HasForeignKey<ChatAttachmentContent>(c => c.AttachmentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AgentPresenceConfiguration : IEntityTypeConfiguration<AgentPresence>
{
    public void Configure(EntityTypeBuilder<AgentPresence> presence)
    {
        presence.ToTable("AgentPresence");
        presence.HasKey(p => p.UserId);
        presence.Property(p => p.Status).HasMaxLength(10).IsRequired();
        presence.HasOne<User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
