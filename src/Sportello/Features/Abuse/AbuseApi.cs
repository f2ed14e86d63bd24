using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Abuse;

public sealed record AbuseMessageRequest(string? Body = null);

public sealed record AbuseReasonRequest(string? Reason = null);

public sealed record AbuseAddressRequest(string? Ip = null);

/// <summary>
/// Reports come in under /admin/abuse-reports (forms, feeds); the abuse desk works cases under /desk/abuse-cases
/// (its agents and admins; anyone else gets 404, as for a case that does not exist); customers read and answer their
/// own under /abuse-cases.
/// </summary>
public static class AbuseApi
{
    public static RouteGroupBuilder MapAbuseApi(this RouteGroupBuilder api)
    {
        api.MapPost("/admin/abuse-reports", ReportAsync).RequireAuthorization(Policies.ApiAdmin).WithTags("Abuse");

        var desk = api.MapGroup("/desk").RequireAuthorization(Policies.ApiAgent).WithTags("Abuse");
        desk.MapGet("/abuse-cases", QueueAsync);
        desk.MapPost("/abuse-cases", SecurityNoticeAsync);
        desk.MapGet("/abuse-cases/{caseId:guid}", DeskCaseAsync);
        desk.MapPost("/abuse-cases/{caseId:guid}/messages", MessageCustomerAsync);
        desk.MapPost("/abuse-cases/{caseId:guid}/suspension-request", SuspensionAsync);
        desk.MapPost("/abuse-cases/{caseId:guid}/resolve", ResolveAsync);
        desk.MapPost("/abuse-cases/{caseId:guid}/not-ours-answer", NotOursAsync);
        desk.MapPost("/abuse-cases/{caseId:guid}/address", AddressAsync);
        desk.MapGet("/abuse-statistics", StatisticsAsync);

        var mine = api.MapGroup("/abuse-cases").RequireAuthorization(Policies.ApiCustomer).WithTags("Abuse");
        mine.MapGet("/", MineAsync);
        mine.MapGet("/{caseId:guid}", MyCaseAsync);
        mine.MapPost("/{caseId:guid}/messages", AnswerAsync);
        return api;
    }

    private static async Task<IResult> ReportAsync(AbuseReportRequest request, SubmitAbuseReport submit, CancellationToken cancellationToken) =>
        Answer(await submit.HandleAsync(request, cancellationToken), r => TypedResults.Created($"/api/v1/desk/abuse-cases/{r.CaseId}", r));

    private static async Task<IResult> QueueAsync(
        HttpContext http, string? state, int? limit, string? cursor, CurrentUser current, ReadAbuseCases read, CancellationToken cancellationToken)
    {
        if (!await read.WorksAbuseAsync(current.Id, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        var errors = ReadAbuseCases.CheckState(state) ?? new ValidationErrors();
        if (!Page.TryRead(limit, cursor, errors, out var page))
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        return await read.QueueAsync(current.Id, state, page, cancellationToken) is { } queue
            ? TypedResults.Ok(queue.Link(http, page.Limit))
            : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<AbuseCaseDetail>, NotFound>> DeskCaseAsync(
        Guid caseId, CurrentUser current, ReadAbuseCases read, CancellationToken cancellationToken) =>
        await read.DeskDetailAsync(current.Id, caseId, cancellationToken) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    private static async Task<IResult> SecurityNoticeAsync(
        SecurityNoticeRequest request, CurrentUser current, OpenSecurityNotice open, CancellationToken cancellationToken) =>
        Answer(await open.HandleAsync(current.Id, request, cancellationToken), r => TypedResults.Created($"/api/v1/desk/abuse-cases/{r.CaseId}", r));

    private static async Task<IResult> MessageCustomerAsync(
        Guid caseId, AbuseMessageRequest request, CurrentUser current, MessageAbuseCustomer message, CancellationToken cancellationToken) =>
        Answer(await message.HandleAsync(current.Id, caseId, request.Body, cancellationToken), m => TypedResults.Created(
            $"/api/v1/desk/abuse-cases/{caseId}", new AbuseMessageView(m.Id, m.At, m.AuthorKind, m.AuthorName, m.Body, m.Channel, m.Trust)));

    private static async Task<IResult> SuspensionAsync(
        Guid caseId, AbuseReasonRequest request, CurrentUser current, RequestSuspension suspend, ReadAbuseCases read, CancellationToken cancellationToken) =>
        await DetailAsync(await suspend.HandleAsync(current.Id, caseId, request.Reason, cancellationToken), current, read, cancellationToken);

    private static async Task<IResult> ResolveAsync(
        Guid caseId, AbuseReasonRequest request, CurrentUser current, ResolveAbuseCase resolve, ReadAbuseCases read, CancellationToken cancellationToken) =>
        await DetailAsync(await resolve.HandleAsync(current.Id, caseId, request.Reason, cancellationToken), current, read, cancellationToken);

    private static async Task<IResult> NotOursAsync(
        Guid caseId, CurrentUser current, AnswerNotOurs answer, ReadAbuseCases read, CancellationToken cancellationToken) =>
        await DetailAsync(await answer.HandleAsync(current.Id, caseId, cancellationToken), current, read, cancellationToken);

    private static async Task<IResult> AddressAsync(
        Guid caseId, AbuseAddressRequest request, CurrentUser current, AssignAbuseAddress assign, ReadAbuseCases read, CancellationToken cancellationToken) =>
        await DetailAsync(await assign.HandleAsync(current.Id, caseId, request.Ip, cancellationToken), current, read, cancellationToken);

    private static async Task<IResult> StatisticsAsync(
        string? from, string? to, CurrentUser current, AbuseStatistics statistics, CancellationToken cancellationToken) =>
        Answer(await statistics.HandleAsync(current.Id, from, to, cancellationToken), s => TypedResults.Ok(s));

    private static Task<Results<Ok<List<CustomerAbuseCaseSummary>>, ValidationProblem>> MineAsync(
        HttpContext http, int? limit, string? cursor, CurrentUser current, ReadAbuseCases read, CancellationToken cancellationToken) =>
        Page.ListAsync(http, limit, cursor, page => read.CustomerListAsync(current.Id, page, cancellationToken));

    private static async Task<Results<Ok<CustomerAbuseCaseDetail>, NotFound>> MyCaseAsync(
        Guid caseId, CurrentUser current, ReadAbuseCases read, CancellationToken cancellationToken) =>
        await read.CustomerDetailAsync(current.Id, caseId, cancellationToken) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    private static async Task<IResult> AnswerAsync(
        Guid caseId, AbuseMessageRequest request, CurrentUser current, AnswerAbuseCase answer, CancellationToken cancellationToken) =>
        Answer(await answer.AsCustomerAsync(current.Id, caseId, request.Body, cancellationToken), m => TypedResults.Created(
            $"/api/v1/abuse-cases/{caseId}", new AbuseMessageView(m.Id, m.At, m.AuthorKind, m.AuthorName, m.Body, m.Channel, m.Trust)));

    private static async Task<IResult> DetailAsync(Outcome<AbuseCase>? outcome, CurrentUser current, ReadAbuseCases read, CancellationToken cancellationToken) =>
        outcome is { Value: { } abuse } ? TypedResults.Ok(await read.DeskDetailAsync(current.Id, abuse.Id, cancellationToken)) : Answer(outcome, _ => TypedResults.Ok());

    /// <summary>404 for null, 422 for what cannot be done in the case's state, 400 naming the field, else <paramref name="ok"/>.</summary>
    private static IResult Answer<T>(Outcome<T>? outcome, Func<T, IResult> ok) where T : class => outcome switch
    {
        null => TypedResults.NotFound(),
        { Value: { } value } => ok(value),
        { CannotBeDone: true } cannot => TypedResults.Problem(new HttpValidationProblemDetails(cannot.Errors.ToDictionary())
        {
            Status = StatusCodes.Status422UnprocessableEntity, Title = "Not possible in the case's state",
        }),
        _ => TypedResults.ValidationProblem(outcome.Errors.ToDictionary()),
    };
}
