using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>Chat over REST (CONTRACT.md, "Chat"): visitors with their <c>X-Chat-Token</c>, agents under /desk/chats.</summary>
public static class ChatApi
{
    public const string TokenHeader = "X-Chat-Token";

    public static RouteGroupBuilder MapChatApi(this RouteGroupBuilder api)
    {
        var visitor = api.MapGroup("/chat/conversations").AllowAnonymous().RequireCors(ChatFeature.CorsPolicy).WithTags("Chat")
            .AddEndpointFilter(OnlyWhenEnabledAsync);
        visitor.MapPost("/", StartAsync);
        visitor.MapGet("/{conversationId:guid}", StateAsync);
        visitor.MapPost("/{conversationId:guid}/messages", SendAsync);
        visitor.MapGet("/{conversationId:guid}/messages", ReadAsync);
        visitor.MapPost("/{conversationId:guid}/close", CloseAsync);
        visitor.MapPost("/{conversationId:guid}/read", SeenAsync);
        visitor.MapPost("/{conversationId:guid}/transcript", TranscriptAsync);
        visitor.MapPost("/{conversationId:guid}/attachments", UploadAsync).DisableAntiforgery();
        visitor.MapGet("/{conversationId:guid}/attachments/{attachmentId:guid}", DownloadAsync);

        // Before a chat: is anyone there, and if not, a message instead.
        var widget = api.MapGroup("/chat").AllowAnonymous().RequireCors(ChatFeature.CorsPolicy).WithTags("Chat").AddEndpointFilter(OnlyWhenEnabledAsync);
        widget.MapGet("/availability", AvailabilityAsync);
        widget.MapPost("/messages", LeaveMessageAsync);

        var desk = api.MapGroup("/desk/chats").RequireAuthorization(Policies.ApiAgent).WithTags("Desk");
        desk.MapGet("/", ListAsync);
        desk.MapPut("/availability", SetAvailabilityAsync);
        desk.MapGet("/{chatId:guid}/messages", ReadAsStaffAsync);
        desk.MapPost("/{chatId:guid}/accept", AcceptAsync);
        desk.MapPost("/{chatId:guid}/messages", AnswerAsync);
        desk.MapPost("/{chatId:guid}/transfer", TransferAsync);
        desk.MapPost("/{chatId:guid}/close", CloseAsStaffAsync);
        desk.MapPost("/{chatId:guid}/escalate", EscalateAsync);
        desk.MapPost("/{chatId:guid}/read", SeenAsStaffAsync);
        desk.MapPost("/{chatId:guid}/attachments", UploadAsStaffAsync).DisableAntiforgery();
        desk.MapGet("/{chatId:guid}/attachments/{attachmentId:guid}", DownloadAsStaffAsync);
        return api;
    }

    /// <summary>The console's own download route (cookie session), like the ticket pages' /files/{id}.</summary>
    public static IEndpointRouteBuilder MapChatFiles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/desk/chat-files/{attachmentId:guid}", async (Guid attachmentId, bool? inline, HttpContext http, CurrentUser current, ReadChatAttachment read) =>
            File(await read.AsStaffAsync(current.Id, attachmentId, http.RequestAborted), inline, http))
            .RequireAuthorization(Policies.Agent).ExcludeFromDescription();
        return app;
    }

    private static async ValueTask<object?> OnlyWhenEnabledAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<ChatOptions>>().CurrentValue.Enabled
            ? await next(context)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Chat is not enabled");

    private static async Task<IResult> StartAsync(
        StartChatRequest request, HttpContext http, StartChat start, [FromKeyedServices(ChatFeature.StartThrottle)] Throttle throttle)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString();
        if (throttle.TryAcquire(ip ?? "unknown") is { } wait)
        {
            return Throttle.TooMany(http.Response, wait);
        }
        var outcome = await start.HandleAsync(request, await SignedInCustomerAsync(http), http.Request.Headers.Origin.FirstOrDefault(), ip, http.RequestAborted);
        return outcome.Value is { } started
            ? TypedResults.Created($"/api/v1/chat/conversations/{started.Id}", started)
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    private static async Task<Ok<AvailabilityView>> AvailabilityAsync(string? department, ChatAvailability availability, CancellationToken cancellationToken) =>
        TypedResults.Ok(await availability.OfAsync(department, cancellationToken));

    private static async Task<IResult> LeaveMessageAsync(
        LeaveMessageRequest request, HttpContext http, LeaveChatMessage leave, [FromKeyedServices(ChatFeature.StartThrottle)] Throttle throttle)
    {
        if (throttle.TryAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown") is { } wait)
        {
            return Throttle.TooMany(http.Response, wait);
        }
        var outcome = await leave.HandleAsync(request, await SignedInCustomerAsync(http), http.Request.Headers.Origin.FirstOrDefault(), http.RequestAborted);
        return outcome.Value is { } left ? TypedResults.Created((string?)null, left) : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    private static async Task<IResult> SetAvailabilityAsync(AvailabilityRequest request, CurrentUser current, ChatAvailability availability, CancellationToken cancellationToken)
    {
        var outcome = await availability.SetAsync(current.Id, request.Status, cancellationToken);
        return outcome.Value is { } presence ? TypedResults.Ok(new { status = presence.Status }) : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    // A Client Area session verifies on Sportello's own origin (the cookie never comes from the provider's site).
    private static async Task<Guid?> SignedInCustomerAsync(HttpContext http)
    {
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return session.Succeeded && session.Principal.IsInRole(Roles.Customer) ? session.Principal.UserId() : null;
    }

    private static async Task<Results<Ok<ChatStateView>, NotFound>> StateAsync(
        Guid conversationId, [FromHeader(Name = TokenHeader)] string? token, ReadChat read, CancellationToken cancellationToken) =>
        await read.StateAsync(conversationId, token, cancellationToken) is { } state ? TypedResults.Ok(state) : TypedResults.NotFound();

    private static async Task<IResult> SendAsync(
        Guid conversationId, ChatMessageRequest request, [FromHeader(Name = TokenHeader)] string? token, HttpContext http, SendChatMessage send,
        [FromKeyedServices(ChatFeature.MessageThrottle)] Throttle throttle)
    {
        if (throttle.TryAcquire(conversationId.ToString()) is { } wait)
        {
            return Throttle.TooMany(http.Response, wait);
        }
        return Created(await send.AsVisitorAsync(conversationId, token, request.Body, http.RequestAborted), conversationId);
    }

    private static async Task<IResult> ReadAsync(
        Guid conversationId, [FromHeader(Name = TokenHeader)] string? token, long? after, ReadChat read, CancellationToken cancellationToken) =>
        Ok(await read.AsVisitorAsync(conversationId, token, after, cancellationToken));

    private static async Task<IResult> CloseAsync(
        Guid conversationId, CloseChatRequest request, [FromHeader(Name = TokenHeader)] string? token, CloseChat close, CancellationToken cancellationToken) =>
        State(await close.AsVisitorAsync(conversationId, token, request, cancellationToken));

    private static async Task<IResult> TranscriptAsync(
        Guid conversationId, ChatTranscriptRequestBody request, [FromHeader(Name = TokenHeader)] string? token, EmailChatTranscript transcript,
        CancellationToken cancellationToken) =>
        await transcript.RequestAsync(conversationId, token, request, cancellationToken) switch
        {
            null => TypedResults.NotFound(),
            { Value: { } requested } => TypedResults.Accepted((string?)null, requested),
            var failed => Failed(failed),
        };

    private static async Task<IResult> SeenAsync(
        Guid conversationId, ChatSeenRequest request, [FromHeader(Name = TokenHeader)] string? token, MarkChatSeen marks, CancellationToken cancellationToken) =>
        Marks(await marks.AsVisitorAsync(conversationId, token, request.Seq, read: true, cancellationToken));

    private static async Task<IResult> SeenAsStaffAsync(Guid chatId, ChatSeenRequest request, CurrentUser current, MarkChatSeen marks, CancellationToken cancellationToken) =>
        Marks(await marks.AsStaffAsync(current.Id, chatId, request.Seq, read: true, cancellationToken));

    private static IResult Marks(Outcome<ChatMarks>? outcome) =>
        outcome is null ? TypedResults.NotFound() : outcome.Value is { } marks ? TypedResults.Ok(marks) : Failed(outcome);

    private static async Task<IResult> UploadAsync(
        Guid conversationId, [FromHeader(Name = TokenHeader)] string? token, HttpContext http, AddChatAttachments add,
        [FromKeyedServices(ChatFeature.MessageThrottle)] Throttle throttle)
    {
        if (!await add.VisitorMayUploadAsync(conversationId, token, http.RequestAborted))
        {
            return TypedResults.NotFound();
        }
        if (throttle.TryAcquire(conversationId.ToString()) is { } wait)
        {
            return Throttle.TooMany(http.Response, wait);
        }
        if (await Tickets.TicketResults.ReadFormAsync(http) is not { } form)
        {
            return Tickets.TicketResults.NotMultipart();
        }
        return Files(await add.AsVisitorAsync(conversationId, token, form["body"], Tickets.AddAttachments.From(form.Files.GetFiles("files")), http.RequestAborted));
    }

    private static async Task<IResult> DownloadAsync(
        Guid conversationId, Guid attachmentId, [FromHeader(Name = TokenHeader)] string? token, bool? inline, HttpContext http, ReadChatAttachment read) =>
        File(await read.AsVisitorAsync(conversationId, token, attachmentId, http.RequestAborted), inline, http);

    private static async Task<IResult> UploadAsStaffAsync(Guid chatId, HttpContext http, CurrentUser current, AddChatAttachments add)
    {
        if (!await add.AgentMayUploadAsync(current.Id, chatId, http.RequestAborted))
        {
            return TypedResults.NotFound();
        }
        if (await Tickets.TicketResults.ReadFormAsync(http) is not { } form)
        {
            return Tickets.TicketResults.NotMultipart();
        }
        return Files(await add.AsAgentAsync(await current.LoadAsync(http.RequestAborted), chatId, form["body"],
            Tickets.AddAttachments.From(form.Files.GetFiles("files")), http.RequestAborted));
    }

    private static async Task<IResult> DownloadAsStaffAsync(Guid chatId, Guid attachmentId, bool? inline, HttpContext http, CurrentUser current, ReadChatAttachment read) =>
        File(await read.AsStaffAsync(current.Id, attachmentId, http.RequestAborted) is { } file && file.Attachment.ConversationId == chatId ? file : null, inline, http);

    private static IResult File(ReadChatAttachment.File? file, bool? inline, HttpContext http) =>
        file is null ? TypedResults.NotFound() : Tickets.TicketResults.File(file.Attachment.FileName, file.Bytes, inline == true, http);

    // The ticket upload's answers: 201 the files, 400/413 naming files, 409 when the chat is closed.
    private static IResult Files(AddChatAttachments.Result? result) =>
        result switch
        {
            null => TypedResults.NotFound(),
            { Message: { } message } => TypedResults.Created($"/api/v1/chat/conversations/{message.ConversationId}/messages?after={message.Seq - 1}",
                message.Attachments.Select(a => new Tickets.AttachmentView(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256)).ToList()),
            { Errors: var errors } when errors.Has("status") => Failed(Outcome<ChatMessage>.Invalid(errors)),
            _ => Tickets.TicketResults.FilesRefused(result.Errors, result.TooLarge),
        };

    private static Task<Results<Ok<List<ChatSummary>>, ValidationProblem>> ListAsync(
        HttpContext http, CurrentUser current, ListDeskChats list, int? limit, string? cursor) =>
        Page.ListAsync(http, limit, cursor, page => list.HandleAsync(current.Id, page, http.RequestAborted));

    private static async Task<IResult> ReadAsStaffAsync(Guid chatId, long? after, CurrentUser current, ReadChat read, CancellationToken cancellationToken) =>
        Ok(await read.AsStaffAsync(current.Id, chatId, after, cancellationToken));

    private static async Task<IResult> AcceptAsync(Guid chatId, CurrentUser current, AcceptChat accept, CancellationToken cancellationToken) =>
        State(await accept.HandleAsync(await current.LoadAsync(cancellationToken), chatId, cancellationToken));

    private static async Task<IResult> AnswerAsync(
        Guid chatId, AgentChatMessageRequest request, CurrentUser current, SendChatMessage send, CancellationToken cancellationToken) =>
        Created(await send.AsAgentAsync(await current.LoadAsync(cancellationToken), chatId, request.Body, request.Internal == true, cancellationToken), chatId);

    private static async Task<IResult> TransferAsync(
        Guid chatId, TransferChatRequest request, CurrentUser current, TransferChat transfer, CancellationToken cancellationToken) =>
        State(await transfer.HandleAsync(await current.LoadAsync(cancellationToken), chatId, request, cancellationToken));

    private static async Task<IResult> CloseAsStaffAsync(Guid chatId, CurrentUser current, CloseChat close, CancellationToken cancellationToken) =>
        State(await close.AsAgentAsync(await current.LoadAsync(cancellationToken), chatId, cancellationToken));

    private static async Task<IResult> EscalateAsync(
        Guid chatId, EscalateChatRequest request, CurrentUser current, EscalateChat escalate, CancellationToken cancellationToken) =>
        await escalate.HandleAsync(await current.LoadAsync(cancellationToken), chatId, request, cancellationToken) switch
        {
            null => TypedResults.NotFound(),
            { Value: { } ticket } => TypedResults.Created($"/api/v1/desk/tickets/{ticket.TicketId}", ticket),
            var failed => Failed(failed),
        };

    // A missing (or someone else's) chat is 404; a chat in the wrong state for the action is 409 naming status; bad input 400.
    private static IResult Failed<T>(Outcome<T> outcome) where T : class =>
        outcome.Errors.Has("status")
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: string.Join(" ", outcome.Errors.For("status")),
                extensions: new Dictionary<string, object?> { ["errors"] = outcome.Errors.ToDictionary() })
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());

    private static IResult Created(Outcome<ChatMessage>? outcome, Guid conversationId) =>
        outcome is null ? TypedResults.NotFound()
        : outcome.Value is { } message ? TypedResults.Created($"/api/v1/chat/conversations/{conversationId}/messages?after={message.Seq - 1}", ChatMessageView.From(message))
        : Failed(outcome);

    private static IResult Ok(Outcome<List<ChatMessageView>>? outcome) =>
        outcome is null ? TypedResults.NotFound() : outcome.Value is { } messages ? TypedResults.Ok(messages) : Failed(outcome);

    private static IResult State(Outcome<Conversation>? outcome) =>
        outcome is null ? TypedResults.NotFound()
        : outcome.Value is { } c ? TypedResults.Ok(new ChatSignals.ChatChanged(c.Id, c.Status, c.Department, c.AgentId, c.Verified, c.LastSeq, c.TicketId))
        : Failed(outcome);
}
