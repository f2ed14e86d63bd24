using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Tickets;

public sealed class TicketOptions
{
    public long MaxAttachmentBytes { get; set; } = 20 * 1024 * 1024;
    public long MaxMessageAttachmentBytes { get; set; } = 30 * 1024 * 1024;
    public int MaxFilesPerUpload { get; set; } = 10;
}

/// <summary>Files (logs, screenshots) join the uploader's latest message on a ticket; they change no status.</summary>
public sealed class AddAttachments(SportelloDb db, TimeProvider clock, IOptions<TicketOptions> options, TicketSignals signals, GroupCommit writer, DeskAccess access)
{
    public sealed record Upload(string FileName, string? ContentType, long Length, Func<Stream> Open);

    public sealed record Result(List<Attachment>? Attachments, ValidationErrors Errors, bool TooLarge);

    /// <summary>True when the user may add files to the ticket (so that a malformed upload is told apart from a missing ticket).</summary>
    public async Task<bool> MayUploadAsync(User user, bool asAgent, Guid ticketId, CancellationToken cancellationToken = default) =>
        await FindAsync(user, asAgent, ticketId, cancellationToken) is not null;

    private async Task<Ticket?> FindAsync(User user, bool asAgent, Guid ticketId, CancellationToken cancellationToken) => asAgent
        ? await access.TicketAsync(user.Id, ticketId, cancellationToken)
        : await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId && t.CustomerId == user.Id, cancellationToken);

    /// <summary>Null when the user may not see the ticket.</summary>
    public async Task<Result?> HandleAsync(User user, bool asAgent, Guid ticketId, IReadOnlyList<Upload> files, CancellationToken cancellationToken = default)
    {
        var ticket = await FindAsync(user, asAgent, ticketId, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        var errors = new ValidationErrors();
        var message = await db.TicketMessages.Where(m => m.TicketId == ticketId && m.AuthorId == user.Id)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstOrDefaultAsync(cancellationToken);
        if (message is null)
        {
            errors.Add("files", "Attachments join your latest message on this ticket: write a message first.");
        }
        var already = message is null ? 0
            : await db.Attachments.Where(a => a.MessageId == message.Id).SumAsync(a => (long?)a.Size, cancellationToken) ?? 0;
        var tooLarge = Check(files, already, errors);
        if (errors.Any)
        {
            return new Result(null, errors, tooLarge);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var prepared = await PrepareAsync(ticket.Id, message!.Id, files, now, cancellationToken);
        // Uploads share durable commits with other requests (group commit); the ticket's time and version move with them.
        try
        {
            await writer.WriteAsync(async (target, token) =>
            {
                Stage(target, ticket.Id, user.Id, prepared, now);
                await target.Tickets.Where(t => t.Id == ticket.Id).ExecuteUpdateAsync(t => t
                    .SetProperty(x => x.UpdatedAt, now).SetProperty(x => x.Version, Guid.NewGuid()), token);
            }, prepared.Sum(p => p.Attachment.Size));
        }
        catch (DbUpdateException)
        {
            // The commit may have landed although its answer was lost: then the files are there, and done.
            if (!await StoredAsync(prepared[0].Attachment.Id, cancellationToken))
            {
                throw;
            }
        }
        var added = prepared.Select(p => p.Attachment).ToList();
        signals.Changed(ticket, TicketEventKinds.AttachmentsAdded, customerMaySee: !message!.Internal);
        return new Result(added, errors, false);
    }

    public sealed record Prepared(Attachment Attachment, AttachmentContent Content);

    private Task<bool> StoredAsync(Guid attachmentId, CancellationToken cancellationToken) =>
        db.Attachments.AsNoTracking().AnyAsync(a => a.Id == attachmentId, cancellationToken);

    /// <summary>Reads the uploads (on the request, never on the shared writer) into entities ready to store.</summary>
    public static async Task<List<Prepared>> PrepareAsync(Guid ticketId, Guid messageId, IReadOnlyList<Upload> files, DateTime now, CancellationToken cancellationToken)
    {
        var prepared = new List<Prepared>();
        foreach (var file in await ReadAllAsync(files, cancellationToken))
        {
            var attachment = new Attachment
            {
                Id = Guid.CreateVersion7(),
                TicketId = ticketId,
                MessageId = messageId,
                FileName = file.FileName,
                ContentType = file.ContentType,
                Size = file.Bytes.Length,
                Sha256 = file.Sha256,
                CreatedAt = now,
            };
            prepared.Add(new Prepared(attachment, new AttachmentContent { AttachmentId = attachment.Id, Bytes = file.Bytes }));
        }
        return prepared;
    }

    /// <summary>An upload as stored: its name cleaned, its declared type cleaned, its bytes and their SHA-256 (tickets and chats alike).</summary>
    public sealed record Read(string FileName, string ContentType, byte[] Bytes, string Sha256);

    /// <summary>Reads the uploads on the request and describes each as it will be stored.</summary>
    public static async Task<List<Read>> ReadAllAsync(IReadOnlyList<Upload> files, CancellationToken cancellationToken)
    {
        var read = new List<Read>();
        foreach (var file in files)
        {
            var bytes = await ReadAsync(file, cancellationToken);
            read.Add(new Read(FileNames.Normalize(file.FileName), ContentTypes.Clean(file.ContentType), bytes, Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }
        return read;
    }

    /// <summary>Adds prepared files and their audit entry to a unit of work (the caller saves).</summary>
    public static void Stage(SportelloDb db, Guid ticketId, Guid? actorId, IReadOnlyList<Prepared> prepared, DateTime now)
    {
        foreach (var (attachment, content) in prepared)
        {
            db.Attachments.Add(attachment);
            db.AttachmentContents.Add(content);
        }
        TicketAudit.Record(db, ticketId, actorId, TicketEventKinds.AttachmentsAdded, string.Join(", ", prepared.Select(p => p.Attachment.FileName)), now);
    }

    /// <summary>
    /// The limits on count and size, checked before anything is written. True when the refusal is about size.
    /// </summary>
    public bool Check(IReadOnlyList<Upload> files, long alreadyOnMessage, ValidationErrors errors)
    {
        var limits = options.Value;
        if (files.Count == 0)
        {
            errors.Add("files", "Send one or more files in form parts named 'files'.");
        }
        else if (files.Count > limits.MaxFilesPerUpload)
        {
            errors.Add("files", "At most {0} files at a time.", limits.MaxFilesPerUpload);
        }
        var tooLarge = false;
        foreach (var file in files.Where(f => f.Length > limits.MaxAttachmentBytes))
        {
            errors.Add("files", "{0} is {1}; each file may be at most {2}.", FileNames.Normalize(file.FileName), Megabytes(file.Length), Megabytes(limits.MaxAttachmentBytes));
            tooLarge = true;
        }
        if (!tooLarge && alreadyOnMessage + files.Sum(f => f.Length) > limits.MaxMessageAttachmentBytes)
        {
            errors.Add("files", "Together the files on one message may be at most {0}.", Megabytes(limits.MaxMessageAttachmentBytes));
            tooLarge = true;
        }
        return tooLarge;
    }

    public static List<Upload> From(IEnumerable<IFormFile> files) =>
        files.Select(f => new Upload(f.FileName, f.ContentType, f.Length, f.OpenReadStream)).ToList();

    private static async Task<byte[]> ReadAsync(Upload file, CancellationToken cancellationToken)
    {
        await using var stream = file.Open();
        using var buffer = new MemoryStream(capacity: (int)Math.Min(file.Length, int.MaxValue));
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static string Megabytes(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024.0):0.#} MB" : $"{Math.Max(1, bytes / 1024)} KB";
}

public static class ContentTypes
{
    /// <summary>A declared type kept for information only (files are always served as downloads); junk becomes octet-stream.</summary>
    public static string Clean(string? declared)
    {
        var type = declared?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        var slash = type.IndexOf('/', StringComparison.Ordinal);
        var ok = type.Length is > 2 and <= 100 && slash > 0 && slash < type.Length - 1
            && type.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '+' or '.' or '_');
        return ok ? type : "application/octet-stream";
    }
}
