using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Sla;

public sealed record SlaPolicyView(string Channel, string Priority, int FirstResponseMinutes, int NextResponseMinutes);
public sealed record SlaPolicyRequest(int? FirstResponseMinutes, int? NextResponseMinutes);

public static class SlaApi
{
    public const int MaxMinutes = 7 * 24 * 60;

    public static RouteGroupBuilder MapSlaApi(this RouteGroupBuilder api)
    {
        api.MapGet("/desk/sla", ReportAsync).RequireAuthorization(Policies.ApiAgent).WithTags("Desk");
        var admin = api.MapGroup("/admin/sla-policies").RequireAuthorization(Policies.ApiAdmin).WithTags("Admin");
        admin.MapGet("/", ListAsync);
        admin.MapPut("/{channel}/{priority}", UpdateAsync);
        return api;
    }

    public static Task<List<SlaPolicyView>> PoliciesAsync(SportelloDb db, CancellationToken cancellationToken) =>
        db.SlaPolicies.AsNoTracking()
            .OrderBy(p => p.Channel).ThenBy(p => p.Priority == Priorities.High ? 0 : 1)
            .Select(p => new SlaPolicyView(p.Channel, p.Priority, p.FirstResponseMinutes, p.NextResponseMinutes))
            .ToListAsync(cancellationToken);

    private static async Task<Ok<List<SlaPolicyView>>> ListAsync(SportelloDb db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await PoliciesAsync(db, cancellationToken));

    /// <summary>New targets apply to tickets opened from now on; running clocks keep the target they started with.</summary>
    public static async Task<Outcome<SlaPolicyView>?> UpdatePolicyAsync(SportelloDb db, string channel, string priority, SlaPolicyRequest request, CancellationToken cancellationToken)
    {
        var policy = await db.SlaPolicies.FirstOrDefaultAsync(p => p.Channel == channel && p.Priority == priority, cancellationToken);
        if (policy is null)
        {
            return null;
        }
        var errors = new ValidationErrors();
        if (request.FirstResponseMinutes is not (>= 1 and <= MaxMinutes))
        {
            errors.Add("firstResponseMinutes", "firstResponseMinutes must be between 1 and {0}.", MaxMinutes);
        }
        if (request.NextResponseMinutes is not (>= 1 and <= MaxMinutes))
        {
            errors.Add("nextResponseMinutes", "nextResponseMinutes must be between 1 and {0}.", MaxMinutes);
        }
        if (errors.Any)
        {
            return Outcome<SlaPolicyView>.Invalid(errors);
        }
        policy.FirstResponseMinutes = request.FirstResponseMinutes!.Value;
        policy.NextResponseMinutes = request.NextResponseMinutes!.Value;
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<SlaPolicyView>.Ok(new SlaPolicyView(policy.Channel, policy.Priority, policy.FirstResponseMinutes, policy.NextResponseMinutes));
    }

    private static async Task<Results<Ok<SlaPolicyView>, ValidationProblem, NotFound>> UpdateAsync(
        string channel, string priority, SlaPolicyRequest request, SportelloDb db, CancellationToken cancellationToken)
    {
        var outcome = await UpdatePolicyAsync(db, channel, priority, request, cancellationToken);
        return outcome is null ? TypedResults.NotFound()
            : outcome.Value is { } view ? TypedResults.Ok(view)
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    private static async Task<Results<Ok<SlaReport.Report>, ValidationProblem>> ReportAsync(
        SportelloDb db, TimeProvider clock, DateTime? from, DateTime? to, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new ValidationErrors();
        if (SlaPeriod.Resolve(from, to, now, errors) is not var (start, end))
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        return TypedResults.Ok(await SlaReport.ReadAsync(db, start, end, now, cancellationToken));
    }
}
