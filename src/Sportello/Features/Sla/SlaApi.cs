using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;

namespace Sportello.Features.Sla;

public static class SlaApi
{
    public static RouteGroupBuilder MapSlaApi(this RouteGroupBuilder api)
    {
        api.MapGet("/desk/sla", ReportAsync).RequireAuthorization(Policies.ApiAgent).WithTags("Desk");
        var admin = api.MapGroup("/admin/sla-policies").RequireAuthorization(Policies.ApiAdmin).WithTags("Admin");
        admin.MapGet("/", ListAsync);
        admin.MapPut("/{channel}/{priority}", UpdateAsync);
        return api;
    }

    private static async Task<Ok<List<SlaPolicyView>>> ListAsync(ListSlaPolicies policies, CancellationToken cancellationToken) =>
        TypedResults.Ok(await policies.HandleAsync(cancellationToken));

    private static async Task<Results<Ok<SlaPolicyView>, ValidationProblem, NotFound>> UpdateAsync(
        string channel, string priority, SlaPolicyRequest request, ChangeSlaPolicy change, CancellationToken cancellationToken) =>
        await change.HandleAsync(channel, priority, request, cancellationToken) switch
        {
            null => TypedResults.NotFound(),
            { Value: { } view } => TypedResults.Ok(view),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<Ok<SlaReport.Report>, ValidationProblem>> ReportAsync(
        ReadSlaReport read, DateTime? from, DateTime? to, CancellationToken cancellationToken)
    {
        var outcome = await read.BetweenAsync(from, to, cancellationToken);
        return outcome.Value is { } report ? TypedResults.Ok(report) : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }
}
