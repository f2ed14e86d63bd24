using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Sportello.Data;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// Stores a mail exactly as it arrived, durably, before anyone says "received": the SMTP listener answers 250 and
/// the IMAP intake flags the message only after this returns. Concurrent mails share commits (group commit).
/// The same message stored twice (a resend, a second fetch) is kept once.
/// </summary>
public sealed class StoreInboundMail(GroupCommit writer, SportelloDb db, TimeProvider clock)
{
    public sealed record Envelope(string Source, string? RemoteAddress, string? From, IReadOnlyList<string> Recipients);

    /// <summary>
    /// True when stored now, false when the same message was already stored. Throws when the database fails.
    /// <paramref name="raw"/> is stored as it is, never copied; its first <paramref name="traceLength"/> bytes are our
    /// own Received line, which the duplicate check looks past.
    /// </summary>
    public async Task<bool> StoreAsync(Envelope envelope, byte[] raw, int traceLength = 0, CancellationToken cancellationToken = default)
    {
        var key = DedupKey(raw, traceLength);
        // Mail fetched by IMAP before the dedup key carried a content hash was stored as "mid:<id>": an upgrade that
        // finds it in the mailbox again (taken was \Flagged then, a keyword now) must not make it a second ticket.
        if (envelope.Source.StartsWith("imap:", StringComparison.Ordinal) && key.StartsWith("mid:", StringComparison.Ordinal)
            && key[..key.LastIndexOf('#')] is var legacy
            && await db.InboundMessages.AsNoTracking().AnyAsync(m => m.DedupKey == legacy, cancellationToken))
        {
            return false;
        }
        var message = new InboundMessage
        {
            Id = Guid.CreateVersion7(),
            Source = envelope.Source,
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
            RemoteAddress = Intake.MailFields.Cap(envelope.RemoteAddress, 64),
            EnvelopeFrom = Intake.MailFields.Cap(envelope.From, 320),
            Recipients = Intake.MailFields.Cap(string.Join(",", envelope.Recipients), 4000) ?? "",
            DedupKey = key,
            Size = raw.Length,
            Raw = raw,
        };
        try
        {
            await writer.WriteAsync((target, _) =>
            {
                target.InboundMessages.Add(message);
                return Task.CompletedTask;
            }, raw.Length);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await db.InboundMessages.AsNoTracking().AnyAsync(m => m.DedupKey == message.DedupKey, cancellationToken))
            {
                return false;
            }
            throw;
        }
    }

    /// <summary>
    /// The Message-ID with a hash of what the mail says (sender, recipients, subject and body), else a hash of the
    /// bytes. A resend of the same mail (with other trace headers) is one mail; a different mail that reuses a
    /// Message-ID, by accident or on purpose, is another and is never dropped after its 250.
    /// </summary>
    public static string DedupKey(byte[] raw, int offset = 0)
    {
        try
        {
            using var stream = new MemoryStream(raw, offset, raw.Length - offset, writable: false);
            var parser = new MimeParser(ParserOptions.Default, stream, MimeFormat.Entity);
            var headers = parser.ParseHeaders();
            var id = headers[HeaderId.MessageId];
            if (!string.IsNullOrWhiteSpace(id) && id.Length < 900)
            {
                return $"mid:{id.Trim()}#{ContentHash(headers, raw.AsSpan((int)Math.Min(offset + parser.Position, raw.Length)))}";
            }
        }
        catch (FormatException)
        {
            // No readable headers: the bytes are the identity.
        }
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(raw.AsSpan(offset)));
    }

    private static string ContentHash(HeaderList headers, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var id in (ReadOnlySpan<HeaderId>)[HeaderId.From, HeaderId.To, HeaderId.Cc, HeaderId.Subject, HeaderId.Date, HeaderId.ContentType])
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes((headers[id] ?? "") + "\n"));
        }
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }

}
