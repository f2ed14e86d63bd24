using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// Files in a chat (a screenshot, a log): the visitor's, or an agent's of the chat's department, each upload one new
/// message in the transcript, with an optional line of text. The ticket upload's rules hold (count, size per file and
/// per message, names cleaned, always served as downloads), and a whole chat carries no more files than one ticket
/// message may, so that every file travels to the ticket the chat may become. A closed chat takes none (409).
/// </summary>
public sealed class AddChatAttachments(
    SportelloDb db, ChatAccess access, ChatTranscript transcript, ChatSignals signals, AddAttachments rules, IOptions<TicketOptions> options, TimeProvider clock)
{
    public sealed record Result(ChatMessage? Message, ValidationErrors Errors, bool TooLarge);

    public async Task<Result?> AsVisitorAsync(
        Guid conversationId, string? visitorToken, string? body, IReadOnlyList<AddAttachments.Upload> files, CancellationToken cancellationToken = default) =>
        await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is { } conversation
            ? await AddAsync(conversation, new ChatMessage { AuthorKind = ChatAuthors.Visitor, AuthorName = conversation.VisitorName ?? "Visitor" }, body, files, cancellationToken)
            : null;

    public async Task<Result?> AsAgentAsync(
        User agent, Guid conversationId, string? body, IReadOnlyList<AddAttachments.Upload> files, CancellationToken cancellationToken = default) =>
        await access.StaffAsync(agent.Id, conversationId, cancellationToken) is { } conversation
            ? await AddAsync(conversation, new ChatMessage { AuthorKind = ChatAuthors.Agent, AuthorId = agent.Id, AuthorName = agent.Name }, body, files, cancellationToken)
            : null;

    /// <summary>True when the visitor's token opens the chat (a malformed upload is told apart from a missing chat).</summary>
    public async Task<bool> VisitorMayUploadAsync(Guid conversationId, string? visitorToken, CancellationToken cancellationToken = default) =>
        await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is not null;

    public async Task<bool> AgentMayUploadAsync(Guid userId, Guid conversationId, CancellationToken cancellationToken = default) =>
        await access.StaffAsync(userId, conversationId, cancellationToken) is not null;

    private async Task<Result> AddAsync(
        Conversation conversation, ChatMessage message, string? body, IReadOnlyList<AddAttachments.Upload> files, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (conversation.Status == ChatStatus.Closed)
        {
            return new Result(null, errors.Add("status", "The chat is closed."), false);
        }
        var text = body?.Trim() ?? "";
        if (text.Length > StartChat.MaxBody)
        {
            errors.Add("body", "body is at most {0} characters.", StartChat.MaxBody);
        }
        var stored = db.ChatAttachments.Where(a => a.ConversationId == conversation.Id);
        var tooLarge = rules.Check(files, await stored.SumAsync(a => (long?)a.Size, cancellationToken) ?? 0, errors);
        var limits = options.Value;
        if (!errors.Has("files") && await stored.CountAsync(cancellationToken) + files.Count > limits.MaxFilesPerUpload)
        {
            errors.Add("files", "A chat holds at most {0} files: open a ticket for more.", limits.MaxFilesPerUpload);
        }
        if (errors.Any)
        {
            return new Result(null, errors, tooLarge);
        }
        message.Body = text;
        var now = clock.GetUtcNow().UtcDateTime;
        var contents = new List<ChatAttachmentContent>();
        foreach (var file in await AddAttachments.ReadAllAsync(files, cancellationToken))
        {
            var attachment = new ChatAttachment
            {
                ConversationId = conversation.Id,
                MessageId = message.Id,
                FileName = file.FileName,
                ContentType = file.ContentType,
                Size = file.Bytes.Length,
                Sha256 = file.Sha256,
                CreatedAt = now,
            };
            message.Attachments.Add(attachment);
            contents.Add(new ChatAttachmentContent { AttachmentId = attachment.Id, Bytes = file.Bytes });
        }
        db.ChatAttachmentContents.AddRange(contents);
        var appended = await transcript.AppendAsync(conversation, message, cancellationToken);
        signals.Message(appended);
        return new Result(appended, errors, false);
    }
}
