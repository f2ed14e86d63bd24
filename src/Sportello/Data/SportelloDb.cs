using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Sportello.Features.Accounts;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Services;
using Sportello.Features.Sla;
using Sportello.Features.Tickets;

namespace Sportello.Data;

/// <summary>The one model of Sportello; each database provider subclasses it to own its migrations.</summary>
public abstract class SportelloDb(DbContextOptions options)
    : IdentityDbContext<User, Role, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<EmailChange> EmailChanges => Set<EmailChange>();
    public DbSet<AgentDepartment> AgentDepartments => Set<AgentDepartment>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<ServiceAddress> ServiceAddresses => Set<ServiceAddress>();
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<TicketMessage> TicketMessages => Set<TicketMessage>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<AttachmentContent> AttachmentContents => Set<AttachmentContent>();
    public DbSet<TicketEvent> TicketEvents => Set<TicketEvent>();
    public DbSet<SlaPolicy> SlaPolicies => Set<SlaPolicy>();
    public DbSet<InboundMessage> InboundMessages => Set<InboundMessage>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<NotificationAddress> NotificationAddresses => Set<NotificationAddress>();
    public DbSet<AutoReplyRecord> AutoReplies => Set<AutoReplyRecord>();
    public DbSet<Features.Mail.Inbound.Intake.MailTicketSlot> MailTicketSlots => Set<Features.Mail.Inbound.Intake.MailTicketSlot>();
    public DbSet<SharedSecret> SharedSecrets => Set<SharedSecret>();
    public DbSet<Features.Chat.Conversation> Conversations => Set<Features.Chat.Conversation>();
    public DbSet<Features.Chat.ChatMessage> ChatMessages => Set<Features.Chat.ChatMessage>();
    public DbSet<Features.Chat.ChatAttachment> ChatAttachments => Set<Features.Chat.ChatAttachment>();
    public DbSet<Features.Chat.ChatAttachmentContent> ChatAttachmentContents => Set<Features.Chat.ChatAttachmentContent>();
    public DbSet<Features.Chat.ChatTranscriptRequest> ChatTranscriptRequests => Set<Features.Chat.ChatTranscriptRequest>();
    public DbSet<Features.CannedAnswers.CannedAnswer> CannedAnswers => Set<Features.CannedAnswers.CannedAnswer>();
    public DbSet<Features.Chat.AgentPresence> AgentPresences => Set<Features.Chat.AgentPresence>();
    public DbSet<Features.Notices.Notice> Notices => Set<Features.Notices.Notice>();
    public DbSet<Features.Notices.NoticeUpdate> NoticeUpdates => Set<Features.Notices.NoticeUpdate>();
    public DbSet<Features.Notices.NoticeRecipient> NoticeRecipients => Set<Features.Notices.NoticeRecipient>();
    public DbSet<Features.Notices.Notification> Notifications => Set<Features.Notices.Notification>();
    public DbSet<Features.Notices.CalendarKey> CalendarKeys => Set<Features.Notices.CalendarKey>();
    public DbSet<Features.Notices.StatusSubscription> StatusSubscriptions => Set<Features.Notices.StatusSubscription>();
    public DbSet<Features.Billing.VatRate> VatRates => Set<Features.Billing.VatRate>();
    public DbSet<Features.Billing.VatRateChange> VatRateChanges => Set<Features.Billing.VatRateChange>();
    public DbSet<Features.Billing.Invoice> Invoices => Set<Features.Billing.Invoice>();
    public DbSet<Features.Billing.InvoiceLine> InvoiceLines => Set<Features.Billing.InvoiceLine>();
    public DbSet<Features.Billing.InvoiceSequence> InvoiceSequences => Set<Features.Billing.InvoiceSequence>();
    public DbSet<Features.Billing.Order> Orders => Set<Features.Billing.Order>();
    public DbSet<Features.Billing.OrderLine> OrderLines => Set<Features.Billing.OrderLine>();
    public DbSet<Features.Abuse.AbuseCase> AbuseCases => Set<Features.Abuse.AbuseCase>();
    public DbSet<Features.Abuse.AbuseReport> AbuseReports => Set<Features.Abuse.AbuseReport>();
    public DbSet<Features.Abuse.AbuseMessage> AbuseMessages => Set<Features.Abuse.AbuseMessage>();
    public DbSet<Features.Abuse.AbuseEvent> AbuseEvents => Set<Features.Abuse.AbuseEvent>();
    public DbSet<Features.Search.SearchDocument> SearchDocuments => Set<Features.Search.SearchDocument>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(SportelloDb).Assembly);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var (wake, search) = BeforeSave();
        var inTransaction = Database.CurrentTransaction is not null;
        int saved;
        if (search is null)
        {
            try
            {
                saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            }
            catch (InvalidOperationException failure) when (inTransaction && ConnectionLost())
            {
                throw new ConnectionLostException(failure);
            }
        }
        else
        {
            // A ticket's search document is written in the transaction that changes the ticket: findable once acknowledged.
            var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
            try
            {
                saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
                await Features.Search.SearchIndex.WriteAsync(this, search, cancellationToken);
                if (own is not null)
                {
                    await own.CommitAsync(cancellationToken);
                }
            }
            catch (InvalidOperationException failure) when (ConnectionLost())
            {
                throw new ConnectionLostException(failure);
            }
            finally
            {
                if (own is not null)
                {
                    await own.DisposeAsync();
                }
            }
        }
        wake.Notify();
        return saved;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var (wake, search) = BeforeSave();
        if (search is not null)
        {
            throw new InvalidOperationException("Tickets are saved with SaveChangesAsync, which writes their search documents in the same transaction.");
        }
        var saved = base.SaveChanges(acceptAllChangesOnSuccess);
        wake.Notify();
        return saved;
    }

    /// <summary>
    /// Asked of a save that ran in a transaction: whether its connection has broken (the server went away). The
    /// transaction is then over (EF forgets it), and a statement that meets it fails with "the transaction is already
    /// completed" instead of a network error. Not a mistake of the save, so a 503 (<see cref="ConnectionLostException"/>),
    /// not a 500. A transaction holds its connection open, so a closed one means it was lost; outside a transaction the
    /// connection is closed between statements, and a lost one fails with Npgsql's own error.
    /// </summary>
    private bool ConnectionLost() => Database.GetDbConnection().State is not System.Data.ConnectionState.Open;

    /// <summary>
    /// What every save does first: the tickets' derived columns, then what the save will wake (the mail workers) and
    /// change in the search index. Changes are detected once for all of it: each <c>Entries&lt;T&gt;()</c> would
    /// otherwise scan every tracked entity again, a dozen scans per save, and a group-commit batch tracks hundreds of
    /// entities. The save itself detects once more, and so sees what <see cref="KeepTicketsConsistent"/> set.
    /// </summary>
    private (MailWake Wake, Features.Search.SearchIndex.Changes? Search) BeforeSave()
    {
        ChangeTracker.DetectChanges();
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            KeepTicketsConsistent();
            return (MailWake.Pending(ChangeTracker), Features.Search.SearchIndex.Pending(ChangeTracker));
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    // Status, priority and merges change in several use cases; the queue position and the version follow here, once.
    private void KeepTicketsConsistent()
    {
        foreach (var entry in ChangeTracker.Entries<Ticket>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                var ticket = entry.Entity;
                ticket.QueueRank = Ticket.RankOf(ticket.Status, ticket.Priority, ticket.MergedIntoId);
                ticket.Version = Guid.NewGuid();
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Instants are UTC everywhere; SQLite forgets the kind, so it is restored on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}
