using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Tickets;

public sealed record MessageRequest(string? Body);
public sealed record StatusRequest(string? Status);

/// <summary>The customer's side of tickets (CONTRACT.md, "Customer"): routes mapped to the use cases.</summary>
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

    /// <summary>The pages' own download route (cookie session); the API has /api/v1/attachments/{id}.</summary>
    public static IEndpointRouteBuilder MapTicketFiles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/files/{attachmentId:guid}", DownloadAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> OpenAsync(
        OpenTicketRequest request, HttpContext http, CurrentUser current, OpenTicket openTicket, TimeProvider clock,
        [FromKeyedServices(Throttle.TicketCreation)] Throttle throttle)
    {
        if (throttle.TryAcquire(current.Id.ToString()) is { } wait)
        {
            return Throttle.TooMany(http.Response, wait);
        }
        var outcome = await openTicket.HandleAsync(await current.LoadAsync(http.RequestAborted), request, Channels.Web, cancellationToken: http.RequestAborted);
        return outcome.Value is { } ticket
            ? TypedResults.Created($"/api/v1/tickets/{ticket.Id}", TicketResponse.From(ticket, clock.GetUtcNow().UtcDateTime))
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    // With q, the customer's own tickets matching it (CONTRACT.md, "Search"); without, all of them, newest first.
    private static Task<Results<Ok<List<TicketResponse>>, ValidationProblem>> ListAsync(
        HttpContext http, CurrentUser current, ListCustomerTickets list, Search.SearchTickets search, TimeProvider clock, string? q, int? limit, string? cursor) =>
        http.Request.Query.ContainsKey("q")
            ? Search.SearchFeature.CustomerSearchAsync(http, current.Id, search, clock, q, status: null, limit, cursor)
            : Page.ListAsync(http, limit, cursor, page => list.HandleAsync(current.Id, page, http.RequestAborted));

    private static async Task<Results<Ok<TicketResponse>, NotFound>> GetAsync(Guid ticketId, CurrentUser current, ReadTicket read, CancellationToken cancellationToken) =>
        TicketResults.Detail(await read.AsCustomerAsync(current.Id, ticketId, cancellationToken));

    private static async Task<Results<Created<MessageView>, ValidationProblem, NotFound>> ReplyAsync(
        Guid ticketId, MessageRequest request, CurrentUser current, ReplyToTicket reply, CancellationToken cancellationToken) =>
        TicketResults.Message(ticketId, await reply.AsCustomerAsync(await current.LoadAsync(cancellationToken), ticketId, request.Body, cancellationToken: cancellationToken));

    private static Task<IResult> UploadAsync(Guid ticketId, HttpContext http, CurrentUser current, AddAttachments addAttachments) =>
        TicketResults.UploadAsync(ticketId, http, current, addAttachments, asAgent: false);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> StatusAsync(
        Guid ticketId, StatusRequest request, CurrentUser current, ChangeTicket change, TimeProvider clock, CancellationToken cancellationToken) =>
        TicketResults.Ticket(await change.StatusAsync(await current.LoadAsync(cancellationToken), ticketId, request.Status, asAgent: false, cancellationToken), clock);

    private static async Task<IResult> DownloadAsync(Guid attachmentId, HttpContext http, CurrentUser current, DownloadAttachment download, bool? inline) =>
        TicketResults.File(await download.HandleAsync(current.Principal, attachmentId, http.RequestAborted), inline == true, http);
}
