using Microsoft.EntityFrameworkCore;
using NodaTime;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Notices;
using Sportello.Features.Services;
using Sportello.Features.Sla;
using Sportello.Web;

namespace Sportello.Features.Tickets;

public sealed record OpenTicketRequest(
    string? Department, string? Priority, string? Subject, string? Description,
    Guid? ServiceId = null, string? ServiceReference = null,
    string? ProblemStartedAt = null, string? ProblemTimeZone = null, string? Diagnostics = null)
{
    /// <summary>A financial ticket may name one of the customer's invoices (or credit notes)...</summary>
    public Guid? InvoiceId { get; init; }

    /// <summary>...or orders: what the question is about.</summary>
    public Guid? OrderId { get; init; }
}

/// <summary>
/// A customer opens a ticket (Client Area → Tickets → Add ticket). A High ticket is a critical incident: it must name
/// one of the customer's own services and when the problem started, so support can act on the right server at once.
/// </summary>
public sealed class OpenTicket(
    SportelloDb db, TimeProvider clock, TicketSignals signals, AddAttachments attachments, GroupCommit writer, TicketMails mails, ActiveNotices notices,
    TicketDocuments documents)
{
    public const int MaxSubject = 200;
    public const int MaxBody = 50_000;

    /// <summary>
    /// Opens the ticket, with <paramref name="files"/> on its first message, in one unit of work; <paramref name="sourceChatId"/>
    /// names the chat it comes from (stored with the ticket, so the link is never half-written).
    /// </summary>
    public async Task<Outcome<Ticket>> HandleAsync(
        User customer, OpenTicketRequest request, string channel, IReadOnlyList<AddAttachments.Upload>? files = null, Guid? sourceChatId = null,
        CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new ValidationErrors();
        var department = request.Department?.Trim().ToLowerInvariant();
        if (department is null || !Departments.All.Contains(department))
        {
            errors.Add("department", "department must be 'technical' or 'financial'.");
        }
        var priority = request.Priority?.Trim().ToLowerInvariant();
        if (priority is null || !Priorities.All.Contains(priority))
        {
            errors.Add("priority", "priority must be 'normal' or 'high'.");
        }
        Text(errors, "subject", request.Subject, MaxSubject, required: true);
        Text(errors, "description", request.Description, MaxBody, required: true);
        Text(errors, "diagnostics", request.Diagnostics, MaxBody, required: false);

        var service = await ResolveServiceAsync(customer.Id, request, errors, cancellationToken);
        if (priority == Priorities.High && service is null && !errors.Has("serviceId") && !errors.Has("serviceReference"))
        {
            const string Needed = "A high-priority ticket (critical incident) must name one of your services: pick it, or give its IP address or order number (#123456).";
            errors.Add("serviceReference", Needed).Add("serviceId", Needed);
        }
        await documents.CheckAsync(customer.Id, department, request.InvoiceId, request.OrderId, errors, cancellationToken);
        ProblemStart.Result? start = null;
        if (priority == Priorities.High || !string.IsNullOrWhiteSpace(request.ProblemStartedAt))
        {
            start = ProblemStart.Resolve(request.ProblemStartedAt, request.ProblemTimeZone, customer.TimeZone, Instant.FromDateTimeUtc(now));
            if (start.Error is not null)
            {
                errors.Add(start.Field!, start.Error, start.Values);
            }
        }
        if (files is { Count: > 0 })
        {
            attachments.Check(files, alreadyOnMessage: 0, errors);
        }
        if (errors.Any)
        {
            return Outcome<Ticket>.Invalid(errors);
        }

        var (policy, supportAddresses) = await PolicyAndSupportAddressesAsync(customer.Id, channel, priority!, cancellationToken);
        var ticket = NewTicket(customer.Id, department!, priority!, channel, request.Subject!, policy, now);
        ticket.ServiceId = service?.Id;
        ticket.ServiceName = service?.Name;
        // Opened anyway about a service under a known incident or maintenance: linked to it (its resolution answers here).
        ticket.NoticeId = service is null ? null : await notices.LinkFor(service, cancellationToken);
        ticket.ProblemStartedAtUtc = start?.Utc;
        ticket.ProblemTimeZone = start?.Zone;
        ticket.Diagnostics = string.IsNullOrWhiteSpace(request.Diagnostics) ? null : request.Diagnostics;
        ticket.InvoiceId = request.InvoiceId;
        ticket.OrderId = request.OrderId;
        ticket.SourceChatId = sourceChatId;
        var first = new TicketMessage
        {
            Id = Guid.CreateVersion7(),
            TicketId = ticket.Id,
            AuthorId = customer.Id,
            AuthorKind = AuthorKinds.Customer,
            AuthorName = customer.Name,
            Body = request.Description!,
            CreatedAt = now,
        };
        ticket.Messages.Add(first);
        var prepared = files is { Count: > 0 }
            ? await AddAttachments.PrepareAsync(ticket.Id, first.Id, files, now, cancellationToken)
            : [];
        first.Attachments.AddRange(prepared.Select(p => p.Attachment));
        var acknowledgements = await mails.OpenedAsync(ticket, TicketMails.Recipients(customer, supportAddresses));
        // Its search document, built here from what the request holds, so the shared commit only inserts it.
        var addresses = service is null ? [] : await db.ServiceAddresses.AsNoTracking().Where(a => a.ServiceId == service.Id).Select(a => a.Address).ToListAsync(cancellationToken);
        Search.SearchIndex.DescribeNew(ticket, customer.Name, customer.Email, service?.OrderNumber, addresses);
        await WriteWithUniqueNumberAsync(ticket, prepared, acknowledgements, customer.Id, channel, now, cancellationToken);
        signals.Changed(ticket, TicketEventKinds.Created);
        return Outcome<Ticket>.Ok(ticket);
    }

    // The response targets and who hears about the ticket (the acknowledgement's recipients), compiled: every new ticket
    // asks. On PostgreSQL one round trip (a lateral join); SQLite has no lateral join, and its queries cost no round trip.
    private async Task<(SlaPolicy Policy, List<string> SupportAddresses)> PolicyAndSupportAddressesAsync(
        Guid customerId, string channel, string priority, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            var policy = await PolicyQuery.For(db)(db, channel, priority, cancellationToken);
            var addresses = new List<string>();
            await foreach (var address in SupportAddressesQuery.For(db)(db, customerId).WithCancellation(cancellationToken))
            {
                addresses.Add(address);
            }
            return (policy, addresses);
        }
        var both = await PolicyAndSupportAddressesQuery.For(db)(db, channel, priority, customerId, cancellationToken);
        return (both.Policy, both.SupportAddresses);
    }

    private sealed record PolicyAndAddresses(SlaPolicy Policy, List<string> SupportAddresses);

    private static readonly CompiledQuery<Func<SportelloDb, string, string, CancellationToken, Task<SlaPolicy>>> PolicyQuery = new(() =>
        EF.CompileAsyncQuery((SportelloDb db, string channel, string priority, CancellationToken ct) =>
            db.SlaPolicies.AsNoTracking().Single(p => p.Channel == channel && p.Priority == priority)));

    private static readonly CompiledQuery<Func<SportelloDb, Guid, IAsyncEnumerable<string>>> SupportAddressesQuery = new(() =>
        EF.CompileAsyncQuery((SportelloDb db, Guid customerId) =>
            db.NotificationAddresses.AsNoTracking().Where(a => a.UserId == customerId).Where(TicketMails.HearTickets).Select(a => a.Address)));

    private static readonly CompiledQuery<Func<SportelloDb, string, string, Guid, CancellationToken, Task<PolicyAndAddresses>>> PolicyAndSupportAddressesQuery = new(() =>
        EF.CompileAsyncQuery((SportelloDb db, string channel, string priority, Guid customerId, CancellationToken ct) => db.SlaPolicies.AsNoTracking()
            .Where(p => p.Channel == channel && p.Priority == priority)
            .Select(p => new PolicyAndAddresses(p,
                db.NotificationAddresses.Where(a => a.UserId == customerId).Where(TicketMails.HearTickets).Select(a => a.Address).ToList()))
            .Single()));

    private async Task<Service?> ResolveServiceAsync(Guid customerId, OpenTicketRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        Service? service = null;
        if (request.ServiceId is { } serviceId)
        {
            service = await ServiceLookup.FindOwnAsync(db, customerId, serviceId, cancellationToken);
            if (service is null)
            {
                errors.Add("serviceId", "serviceId is not one of your services.");
            }
        }
        if (!string.IsNullOrWhiteSpace(request.ServiceReference))
        {
            var byReference = await ServiceLookup.FindOwnAsync(db, customerId, request.ServiceReference, cancellationToken);
            if (byReference is null)
            {
                errors.Add("serviceReference", "None of your services has this IP address or order number.");
            }
            else if (service is not null && service.Id != byReference.Id)
            {
                errors.Add("serviceReference", "serviceReference names a different service than serviceId.");
            }
            service ??= byReference;
        }
        return service;
    }

    // New tickets share durable commits with other requests (group commit): the 201 waits for the commit.
    private async Task WriteWithUniqueNumberAsync(
        Ticket ticket, List<AddAttachments.Prepared> prepared, List<OutboxMessage> acknowledgements, Guid customerId, string channel, DateTime now,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await writer.WriteAsync((target, _) =>
                {
                    target.Tickets.Add(ticket);
                    target.OutboxMessages.AddRange(acknowledgements);
                    TicketAudit.Record(target, ticket.Id, customerId, TicketEventKinds.Created, $"{ticket.Department}, {ticket.Priority}, {channel}", now);
                    foreach (var (_, content) in prepared)
                    {
                        target.AttachmentContents.Add(content);
                    }
                    if (prepared.Count > 0)
                    {
                        TicketAudit.Record(target, ticket.Id, customerId, TicketEventKinds.AttachmentsAdded,
                            string.Join(", ", prepared.Select(p => p.Attachment.FileName)), now);
                    }
                    return Task.CompletedTask;
                }, prepared.Sum(p => p.Attachment.Size));
                return;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // A commit whose answer was lost may have landed after all: then the ticket is there, and done.
                if (await db.Tickets.AsNoTracking().AnyAsync(t => t.Id == ticket.Id, cancellationToken))
                {
                    return;
                }
                // Only a clash of random numbers is worth another try; anything else is a real failure.
                if (!await db.Tickets.AsNoTracking().AnyAsync(t => t.Number == ticket.Number, cancellationToken))
                {
                    throw;
                }
                ticket.Number = TicketNumbers.New();
                // The acknowledgement names the ticket by number: write it again with the new one.
                acknowledgements = await mails.OpenedAsync(ticket, await mails.RecipientsAsync(db, ticket, cancellationToken: cancellationToken));
            }
        }
    }

    /// <summary>A new ticket with its response clock running; the caller adds the first message and stores it.</summary>
    public static Ticket NewTicket(Guid? customerId, string department, string priority, string channel, string subject, SlaPolicy policy, DateTime now)
    {
        var ticket = new Ticket
        {
            Id = Guid.CreateVersion7(),
            Number = TicketNumbers.New(),
            CustomerId = customerId,
            Department = department,
            Priority = priority,
            Status = TicketStatus.Open,
            Channel = channel,
            Subject = subject.Trim(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        SlaClock.Open(ticket, policy, now);
        return ticket;
    }

    internal static void Text(ValidationErrors errors, string field, string? value, int max, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(field, "{0} is required.", field);
            }
        }
        else if (value.Length > max)
        {
            errors.Add(field, "{0} is at most {1} characters.", field, max);
        }
        else if (value.Contains('\0', StringComparison.Ordinal))
        {
            // Forms reach here too: no text has one, and PostgreSQL cannot store it.
            errors.Add(field, "{0} contains a NUL character.", field);
        }
    }
}
