using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sportello.Features.Search;

public static class SearchKinds
{
    public const string Ticket = "ticket";
    /// <summary>An ended chat's transcript.</summary>
    public const string Chat = "chat";
    /// <summary>A service notice (maintenance, incident, change), with its updates.</summary>
    public const string Notice = "notice";
    /// <summary>An abuse case, with its reports and messages.</summary>
    public const string Abuse = "abuse";
    /// <summary>
    /// Not a document: the mark a migration leaves when existing rows must be indexed; <see cref="SearchBackfill"/>
    /// indexes them at start and removes it (its <see cref="SearchDocument.TargetId"/> is the last ticket done).
    /// </summary>
    public const string Backfill = "backfill";
    /// <summary>The same mark for the chats that had ended before search.</summary>
    public const string ChatBackfill = "backfill-c";
    public const string NoticeBackfill = "backfill-n";
    public const string AbuseBackfill = "backfill-a";
}

/// <summary>
/// One searchable thing (a ticket: its subject, people and messages; an ended chat's transcript; a notice; an abuse
/// case) in the full-text index. The words themselves
/// live beside it in the database's own index (SQLite: the FTS5 table <c>SearchText</c>, keyed by <see cref="Id"/>;
/// PostgreSQL: the <c>tsvector</c> columns <c>Public</c> and <c>Internal</c> of this table), written only by
/// <see cref="SearchIndex"/> in the transaction that changed the ticket. <see cref="Id"/> is renewed on every change,
/// so the newest id is the most recently active ticket.
/// </summary>
public sealed class SearchDocument
{
    public long Id { get; set; }
    public string Kind { get; set; } = SearchKinds.Ticket;
    public Guid TargetId { get; set; }

    /// <summary>
    /// The customer whose document this is (a ticket's or a chat's), or null (a guest's ticket, a notice, an abuse case).
    /// On PostgreSQL a customer's search first reads their newest documents through it and stops at a page, so a word
    /// common in their tickets does not make it read every one of their matches.
    /// </summary>
    public Guid? OwnerId { get; set; }
}

internal sealed class SearchDocumentConfiguration : IEntityTypeConfiguration<SearchDocument>
{
    public void Configure(EntityTypeBuilder<SearchDocument> document)
    {
        document.ToTable("SearchDocuments");
        document.HasKey(d => d.Id);
        document.Property(d => d.Id).ValueGeneratedOnAdd();
        document.Property(d => d.Kind).HasMaxLength(10).IsRequired();
        document.HasIndex(d => new { d.Kind, d.TargetId }).IsUnique();
        document.HasIndex(d => new { d.OwnerId, d.Kind, d.Id }).HasFilter("\"OwnerId\" IS NOT NULL");
    }
}
