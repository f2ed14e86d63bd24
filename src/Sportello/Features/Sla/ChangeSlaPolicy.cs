using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Sla;

public sealed record SlaPolicyView(string Channel, string Priority, int FirstResponseMinutes, int NextResponseMinutes, int? PickupSeconds);
public sealed record SlaPolicyRequest(int? FirstResponseMinutes, int? NextResponseMinutes, int? PickupSeconds = null);

/// <summary>
/// An admin changes the targets of one channel and priority. New targets apply to tickets opened from now on; running
/// clocks keep the target they started with. Null when there is no such policy.
/// </summary>
public sealed class ChangeSlaPolicy(SportelloDb db)
{
    public const int MaxMinutes = 7 * 24 * 60;
    public const int MinPickupSeconds = 10;
    public const int MaxPickupSeconds = 3600;

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
        // The pickup target belongs to chat: a waiting chat has no first response yet, only a wait for an agent.
        if (request.PickupSeconds is { } pickup)
        {
            if (channel != Tickets.Channels.Chat)
            {
                errors.Add("pickupSeconds", "pickupSeconds applies to the chat channel only.");
            }
            else if (pickup is < MinPickupSeconds or > MaxPickupSeconds)
            {
                errors.Add("pickupSeconds", "pickupSeconds must be between {0} and {1}.", MinPickupSeconds, MaxPickupSeconds);
            }
        }
        if (errors.Any)
        {
            return Outcome<SlaPolicyView>.Invalid(errors);
        }
        policy.FirstResponseMinutes = request.FirstResponseMinutes!.Value;
        policy.NextResponseMinutes = request.NextResponseMinutes!.Value;
        policy.PickupSeconds = request.PickupSeconds ?? policy.PickupSeconds;
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<SlaPolicyView>.Ok(new SlaPolicyView(policy.Channel, policy.Priority, policy.FirstResponseMinutes, policy.NextResponseMinutes, policy.PickupSeconds));
    }
}
