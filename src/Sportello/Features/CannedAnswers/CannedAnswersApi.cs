using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;

namespace Sportello.Features.CannedAnswers;

/// <summary>Admins manage canned answers under /admin/canned-answers; agents ask for suggestions under /desk/canned-answers.</summary>
public static class CannedAnswersApi
{
    public static RouteGroupBuilder MapCannedAnswersApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin/canned-answers").RequireAuthorization(Policies.ApiAdmin).WithTags("Admin");
        admin.MapGet("/", ListAsync);
        admin.MapPost("/", AddAsync);
        admin.MapGet("/{answerId:guid}", GetAsync);
        admin.MapPut("/{answerId:guid}", ChangeAsync);
        admin.MapDelete("/{answerId:guid}", RemoveAsync);
        api.MapGet("/desk/canned-answers", SuggestAsync).RequireAuthorization(Policies.ApiAgent).WithTags("Desk");
        return api;
    }

    private static async Task<Ok<List<CannedAnswerView>>> ListAsync(ManageCannedAnswers manage, CancellationToken cancellationToken) =>
        TypedResults.Ok((await manage.ListAsync(cancellationToken)).Select(CannedAnswerView.From).ToList());

    private static async Task<Results<Created<CannedAnswerView>, ValidationProblem>> AddAsync(
        CannedAnswerRequest request, ManageCannedAnswers manage, CancellationToken cancellationToken) =>
        await manage.AddAsync(request, cancellationToken) switch
        {
            { Value: { } answer } => TypedResults.Created($"/api/v1/admin/canned-answers/{answer.Id}", CannedAnswerView.From(answer)),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<Ok<CannedAnswerView>, NotFound>> GetAsync(Guid answerId, ManageCannedAnswers manage, CancellationToken cancellationToken) =>
        await manage.FindAsync(answerId, cancellationToken) is { } answer ? TypedResults.Ok(CannedAnswerView.From(answer)) : TypedResults.NotFound();

    private static async Task<Results<Ok<CannedAnswerView>, ValidationProblem, NotFound>> ChangeAsync(
        Guid answerId, CannedAnswerRequest request, ManageCannedAnswers manage, CancellationToken cancellationToken) =>
        await manage.ChangeAsync(answerId, request, cancellationToken) switch
        {
            null => TypedResults.NotFound(),
            { Value: { } answer } => TypedResults.Ok(CannedAnswerView.From(answer)),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<NoContent, NotFound>> RemoveAsync(Guid answerId, ManageCannedAnswers manage, CancellationToken cancellationToken) =>
        await manage.RemoveAsync(answerId, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Ok<List<CannedSuggestion>>> SuggestAsync(
        string? q, string? language, CurrentUser current, SuggestCannedAnswers suggest, CancellationToken cancellationToken) =>
        TypedResults.Ok(await suggest.HandleAsync(current.Id, q, language, cancellationToken: cancellationToken));
}
