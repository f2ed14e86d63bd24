using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Tickets;

public sealed record AgentMessageRequest(string? Body, bool? Internal = null);
public sealed record PriorityRequest(string? Priority);
public sealed record DepartmentRequest(string? Department);
public sealed record AssigneeRequest(Guid? AssigneeId);
public sealed record MergeRequest(string? Into);

public sealed record EventView(string Kind, string? Detail, DateTime At, string? Actor);

/// <summary>The agent's side of tickets (CONTRACT.md, "Agent").</summary>
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
        HttpContext http, SportelloDb db, DeskAccess access, TimeProvider clock, string? department, string? status, string? assignee, int? limit, string? cursor)
    {
        var query = new DeskQueue.Query(department, status, assignee, limit, cursor);
        var scope = await access.ScopeAsync(http.User.UserId(), http.RequestAborted);
        var result = await DeskQueue.ReadAsync(db, query, scope, clock.GetUtcNow().UtcDateTime, http.RequestAborted);
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

    private static async Task<Results<Ok<TicketResponse>, NotFound>> GetAsync(Guid ticketId, HttpContext http, SportelloDb db, DeskAccess access, TimeProvider clock)
    {
        var viewer = TicketViewer.Staff(await access.ScopeAsync(http.User.UserId(), http.RequestAborted));
        var detail = await TicketQueries.DetailAsync(db, ticketId, viewer, clock.GetUtcNow().UtcDateTime, http.RequestAborted);
        return detail is null ? TypedResults.NotFound() : TypedResults.Ok(detail);
    }

    private static async Task<Results<Created<MessageView>, ValidationProblem, NotFound>> ReplyAsync(
        Guid ticketId, AgentMessageRequest request, HttpContext http, SportelloDb db, ReplyToTicket reply)
    {
        var me = await db.MeAsync(http.User, http.RequestAborted);
        return TicketsApi.Respond(ticketId, await reply.AsAgentAsync(me, ticketId, request.Body, request.Internal == true, cancellationToken: http.RequestAborted));
    }

    private static Task<IResult> UploadAsync(Guid ticketId, HttpContext http, SportelloDb db, AddAttachments addAttachments) =>
        TicketsApi.UploadAsAsync(ticketId, http, db, addAttachments, asAgent: true);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> StatusAsync(
        Guid ticketId, StatusRequest request, HttpContext http, SportelloDb db, ChangeTicket change, TimeProvider clock) =>
        TicketsApi.Respond(await change.StatusAsync(await db.MeAsync(http.User), ticketId, request.Status, asAgent: true, http.RequestAborted), clock);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> PriorityAsync(
        Guid ticketId, PriorityRequest request, HttpContext http, SportelloDb db, ChangeTicket change, TimeProvider clock) =>
        TicketsApi.Respond(await change.PriorityAsync(await db.MeAsync(http.User), ticketId, request.Priority, http.RequestAborted), clock);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> DepartmentAsync(
        Guid ticketId, DepartmentRequest request, HttpContext http, SportelloDb db, ChangeTicket change, TimeProvider clock) =>
        TicketsApi.Respond(await change.DepartmentAsync(await db.MeAsync(http.User), ticketId, request.Department, http.RequestAborted), clock);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> AssignAsync(
        Guid ticketId, AssigneeRequest request, HttpContext http, SportelloDb db, ChangeTicket change, TimeProvider clock) =>
        TicketsApi.Respond(await change.AssignAsync(await db.MeAsync(http.User), ticketId, request.AssigneeId, http.RequestAborted), clock);

    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, NotFound>> MergeAsync(
        Guid ticketId, MergeRequest request, HttpContext http, SportelloDb db, MergeTickets merge, TimeProvider clock) =>
        TicketsApi.Respond(await merge.HandleAsync(await db.MeAsync(http.User), ticketId, request.Into, http.RequestAborted), clock);
}
