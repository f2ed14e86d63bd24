using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Tickets;

public sealed record MessageRequest(string? Body);
public sealed record StatusRequest(string? Status);

/// <summary>The customer's side of tickets (CONTRACT.md, "Customer").</summary>
public static class TicketsApi
{
    public static RouteGroupBuilder MapTicketsApi(this RouteGroupBuilder api)
    {
        var tickets = api.MapGroup("/tickets").RequireAuthorization(Policies.ApiCustomer).WithTags("Tickets");
        tickets.MapPost("/", OpenAsync);
        tickets.MapGet("/", ListAsync);
        tickets.MapGet("/{ticketId:guid}", GetAsync);
        tickets.MapPost("/{ticketId:guid}/messages", ReplyAsync);
        tickets.MapPost("/{ticketId:guid}/attachments", UploadAsync).DisableAntiforgery();
        tickets.MapPost("/{ticketId:guid}/status", StatusAsync);
        api.MapGet("/attachments/{attachmentId:guid}", DownloadAsync).RequireAuthorization(Policies.ApiUser).WithTags("Tickets");
        return api;
    }

    private static async Task<IResult> OpenAsync(
        OpenTicketRequest request, HttpContext http, SportelloDb db, OpenTicket openTicket, TimeProvider clock,
        [FromKeyedServices(Throttle.TicketCreation)] Throttle throttle)
    {
        if (throttle.TryAcquire(http.User.UserId().ToString()) is { } wait)
        {
            return Throttle.TooMany(http.Response, wait);
        }
        var me = await db.MeAsync(http.User, http.RequestAborted);
        var outcome = await openTicket.HandleAsync(me, request, Channels.Web, cancellationToken: http.RequestAborted);
        return outcome.Value is { } ticket
            ? TypedResults.Created($"/api/v1/tickets/{ticket.Id}", TicketResponse.From(ticket, clock.GetUtcNow().UtcDateTime))
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    private static async Task<Results<Ok<List<TicketResponse>>, ValidationProblem>> ListAsync(
        HttpContext http, SportelloDb db, TimeProvider clock, int? limit, string? cursor)
    {
        var errors = new ValidationErrors();
        if (!Page.TryRead(limit, cursor, errors, out var page))
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var me = http.User.UserId();
        // Ids are time-ordered (UUIDv7), so newest first is descending id, and the cursor is the last id seen.
        var rows = await db.Tickets.AsNoTracking()
            .Where(t => t.CustomerId == me && (page.After == null || t.Id < page.After))
            .OrderByDescending(t => t.Id).Take(page.Limit + 1).ToListAsync(http.RequestAborted);
        var now = clock.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(page.Finish(http, rows.Select(t => TicketResponse.From(t, now)).ToList(), t => t.Id));
    }

    private static async Task<Results<Ok<TicketResponse>, NotFound>> GetAsync(Guid ticketId, HttpContext http, SportelloDb db, TimeProvider clock)
    {
        var detail = await TicketQueries.DetailAsync(db, ticketId, TicketViewer.Customer(http.User.UserId()), clock.GetUtcNow().UtcDateTime, http.RequestAborted);
        return detail is null ? TypedResults.NotFound() : TypedResults.Ok(detail);
    }

    private static async Task<Results<Created<MessageView>, ValidationProblem, NotFound>> ReplyAsync(
        Guid ticketId, MessageRequest request, HttpContext http, SportelloDb db, ReplyToTicket reply)
    {
        var me = await db.MeAsync(http.User, http.RequestAborted);
        return Respond(ticketId, await reply.AsCustomerAsync(me, ticketId, request.Body, cancellationToken: http.RequestAborted));
    }

    internal static Results<Created<MessageView>, ValidationProblem, NotFound> Respond(Guid ticketId, Outcome<TicketMessage>? outcome) =>
        outcome is null ? TypedResults.NotFound()
        : outcome.Value is { } message ? TypedResults.Created($"/api/v1/tickets/{ticketId}", MessageView.From(message))
        : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());

    private static Task<IResult> UploadAsync(Guid ticketId, HttpContext http, SportelloDb db, AddAttachments addAttachments) =>
        UploadAsAsync(ticketId, http, db, addAttachments, asAgent: false);

    internal static async Task<IResult> UploadAsAsync(Guid ticketId, HttpContext http, SportelloDb db, AddAttachments addAttachments, bool asAgent)
    {
        var me = await db.MeAsync(http.User, http.RequestAborted);
        // Whose ticket it is comes first: someone else's answers 404 whatever was sent.
        if (!await addAttachments.MayUploadAsync(me, asAgent, ticketId, http.RequestAborted))
        {
            return TypedResults.NotFound();
        }
        // No multipart at all, one without a boundary, or a body that does not match it: 400 naming the field.
        if (await ReadFormAsync(http) is not { } form)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["files"] = ["Send the files as multipart/form-data parts named 'files'."] });
        }
        var uploads = AddAttachments.From(form.Files.GetFiles("files"));
        var result = await addAttachments.HandleAsync(me, asAgent, ticketId, uploads, http.RequestAborted);
        if (result is null)
        {
            return TypedResults.NotFound();
        }
        if (result.Attachments is null)
        {
            return Results.ValidationProblem(result.Errors.ToDictionary(),
                statusCode: result.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                title: result.TooLarge ? "Files too large" : "One or more validation errors occurred.");
        }
        return TypedResults.Created($"/api/v1/tickets/{ticketId}",
            result.Attachments.Select(a => new AttachmentView(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256)).ToList());
    }

    private static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            return null;
        }
        try
        {
            return await http.Request.ReadFormAsync(http.RequestAborted);
        }
        // Too large stays 413 (BadRequestProblems answers it); everything else malformed is a 400 about files.
        catch (Exception ex) when (ex is InvalidDataException || (ex is BadHttpRequestException bad && bad.StatusCode != StatusCodes.Status413PayloadTooLarge))
        {
            return null;
        }
    }

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> StatusAsync(
        Guid ticketId, StatusRequest request, HttpContext http, SportelloDb db, ChangeTicket change, TimeProvider clock)
    {
        var me = await db.MeAsync(http.User, http.RequestAborted);
        return Respond(await change.StatusAsync(me, ticketId, request.Status, asAgent: false, http.RequestAborted), clock);
    }

    internal static Results<Ok<TicketResponse>, ValidationProblem, NotFound> Respond(Outcome<Ticket>? outcome, TimeProvider clock) =>
        outcome is null ? TypedResults.NotFound()
        : outcome.Value is { } ticket ? TypedResults.Ok(TicketResponse.From(ticket, clock.GetUtcNow().UtcDateTime))
        : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());

    internal static async Task<IResult> DownloadAsync(Guid attachmentId, HttpContext http, SportelloDb db, DeskAccess access, bool? inline)
    {
        var viewer = await access.ViewerAsync(http.User, http.RequestAborted);
        var file = await TicketQueries.AttachmentAsync(db, attachmentId, viewer, http.RequestAborted);
        return file is { } f ? TicketQueries.Serve(f.Attachment, f.Bytes, inline == true, http) : TypedResults.NotFound();
    }
}
