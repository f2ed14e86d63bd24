using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>
/// The per-customer ticket-creation limit (<c>Sportello:RateLimits:TicketCreation</c>, 30 a minute) applied to mail:
/// a forged From, or a customer's unmarked autoresponder, must not open tickets without end. Counted from the
/// tickets stored in the window, every channel and every node alike, plus those this unit of work opened; measured
/// with the application's clock, so a replay of the same mail decides the same way.
/// </summary>
public sealed class MailTicketLimit(SportelloDb db, IConfiguration configuration)
{
    public const string Reason = "rate-limited";
    private readonly Dictionary<Guid, int> openedHere = [];
    private readonly IConfigurationSection limits = configuration.GetSection("Sportello:RateLimits");

    /// <summary>True, and the ticket is counted, when <paramref name="customerId"/> may open one more now.</summary>
    public async Task<bool> TryOpenAsync(Guid customerId, DateTime now, CancellationToken cancellationToken)
    {
        if (!limits.GetValue("Enabled", true))
        {
            return true;
        }
        var permits = limits.GetValue($"{Throttle.TicketCreation}:PermitLimit", Throttle.TicketCreationPermits);
        var since = now.AddSeconds(-limits.GetValue($"{Throttle.TicketCreation}:WindowSeconds", 60));
        var stored = await db.Tickets.CountAsync(t => t.CustomerId == customerId && t.CreatedAt > since, cancellationToken);
        var here = openedHere.GetValueOrDefault(customerId);
        if (stored + here >= permits)
        {
            return false;
        }
        openedHere[customerId] = here + 1;
        return true;
    }
}
