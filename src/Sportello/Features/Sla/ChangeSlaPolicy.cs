using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Sla;

public sealed record SlaPolicyView(string Channel, string Priority, int FirstResponseMinutes, int NextResponseMinutes);
public sealed record SlaPolicyRequest(int? FirstResponseMinutes, int? NextResponseMinutes);

/// <summary>
/// An admin changes the targets of one channel and priority. New targets apply to tickets opened from now on; running
/// clocks keep the target they started with. Null when there is no such policy.
/// </summary>
public sealed class ChangeSlaPolicy(SportelloDb db)
{
    public const int MaxMinutes = 7 * 24 * 60;

    public async Task<Outcome<SlaPolicyView>?> HandleAsync(string channel, string priority, SlaPolicyRequest request, CancellationToken cancellationToken = default)
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
}
