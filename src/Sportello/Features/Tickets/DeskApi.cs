using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;

namespace Sportello.Features.Tickets;

public sealed record AgentMessageRequest(string? Body, bool? Internal = null);
public sealed record PriorityRequest(string? Priority);
public sealed record DepartmentRequest(string? Department);
public sealed record AssigneeRequest(Guid? AssigneeId);
public sealed record MergeRequest(string? Into);

public sealed record EventView(string Kind, string? Detail, DateTime At, string? Actor);

/// <summary>The agent's side of tickets (CONTRACT.md, "Agent"): routes mapped to the use cases, which hold the department boundary.</summary>
public static class DeskApi
{
    public static RouteGroupBuilder MapDeskApi(this RouteGroupBuilder api)
    {
        var desk = api.MapGroup("/desk").RequireAuthorization(Policies.ApiAgent).WithTags("Desk");
        desk.MapGet("/queue", QueueAsync);
        desk.MapGet("/tickets/{ticketId:guid}", GetAsync);
        desk.MapPost("/tickets/{ticketId:guid}/messages", ReplyAsync);
        desk.MapPost("/tickets/{ticketId:guid}/attachments", UploadAsync).DisableAntiforgery();
        desk.MapPost("/tickets/{ticketId:guid}/status", StatusAsync);
        desk.MapPost("/tickets/{ticketId:guid}/priority", PriorityAsync);
        desk.MapPost("/tickets/{ticketId:guid}/department", DepartmentAsync);
        desk.MapPost("/tickets/{ticketId:guid}/assignee", AssignAsync);
        desk.MapPost("/tickets/{ticketId:guid}/merge", MergeAsync);
        return api;
    }

    private static async Task<Results<Ok<List<TicketResponse>>, ValidationProblem>> QueueAsync(
        HttpContext http, CurrentUser current, ReadDeskQueue queue, string? department, string? status, string? assignee, int? limit, string? cursor)
    {
        var result = await queue.HandleAsync(current.Id, new ReadDeskQueue.Query(department, status, assignee, limit, cursor), http.RequestAborted);
        if (result.Errors.Any)
        {
            return TypedResults.ValidationProblem(result.Errors.ToDictionary());
        }
        if (result.NextCursor is not null)
        {
            var next = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(http.Request.Path,
                new Dictionary<string, string?> { ["department"] = department, ["status"] = status, ["assignee"] = assignee,
                    ["limit"] = result.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), ["cursor"] = result.NextCursor }
                    .Where(p => p.Value is not null));
            http.Response.Headers.Append("Link", $"<{next}>; rel=\"next\"");
        }
        return TypedResults.Ok(result.Tickets);
    }

    private static async Task<Results<Ok<TicketResponse>, NotFound>> GetAsync(Guid ticketId, CurrentUser current, ReadTicket read, CancellationToken cancellationToken) =>
        TicketResults.Detail(await read.AsStaffAsync(current.Id, ticketId, cancellationToken));

    private static async Task<Results<Created<MessageView>, ValidationProblem, NotFound>> ReplyAsync(
        Guid ticketId, AgentMessageRequest request, CurrentUser current, ReplyToTicket reply, CancellationToken cancellationToken) =>
        TicketResults.Message(ticketId, await reply.AsAgentAsync(await current.LoadAsync(cancellationToken), ticketId, request.Body, request.Internal == true, cancellationToken: cancellationToken));

    private static Task<IResult> UploadAsync(Guid ticketId, HttpContext http, CurrentUser current, AddAttachments addAttachments) =>
        TicketResults.UploadAsync(ticketId, http, current, addAttachments, asAgent: true);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> StatusAsync(
        Guid ticketId, StatusRequest request, CurrentUser current, ChangeTicket change, TimeProvider clock, CancellationToken cancellationToken) =>
        TicketResults.Ticket(await change.StatusAsync(await current.LoadAsync(cancellationToken), ticketId, request.Status, asAgent: true, cancellationToken), clock);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> PriorityAsync(
        Guid ticketId, PriorityRequest request, CurrentUser current, ChangeTicket change, TimeProvider clock, CancellationToken cancellationToken) =>
        TicketResults.Ticket(await change.PriorityAsync(await current.LoadAsync(cancellationToken), ticketId, request.Priority, cancellationToken), clock);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> DepartmentAsync(
        Guid ticketId, DepartmentRequest request, CurrentUser current, ChangeTicket change, TimeProvider clock, CancellationToken cancellationToken) =>
        TicketResults.Ticket(await change.DepartmentAsync(await current.LoadAsync(cancellationToken), ticketId, request.Department, cancellationToken), clock);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> AssignAsync(
        Guid ticketId, AssigneeRequest request, CurrentUser current, ChangeTicket change, TimeProvider clock, CancellationToken cancellationToken) =>
        TicketResults.Ticket(await change.AssignAsync(await current.LoadAsync(cancellationToken), ticketId, request.AssigneeId, cancellationToken), clock);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> MergeAsync(
        Guid ticketId, MergeRequest request, CurrentUser current, MergeTickets merge, TimeProvider clock, CancellationToken cancellationToken) =>
        TicketResults.Ticket(await merge.HandleAsync(await current.LoadAsync(cancellationToken), ticketId, request.Into, cancellationToken), clock);
}
