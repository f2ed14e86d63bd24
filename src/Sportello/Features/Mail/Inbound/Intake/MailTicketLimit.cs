using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>
/// The per-customer ticket-creation limit (<c>Sportello:RateLimits:TicketCreation</c>, 30 a minute) applied to mail:
/// a forged From, or a customer's unmarked autoresponder, must not open tickets without end. Counted in fixed windows
/// of the application's clock from the tickets stored in the window (every channel), plus those this unit of work
/// opened, so a replay decides the same way. Each mail ticket takes a numbered slot of its window: two intake
/// workers (or nodes) that both think they may open the last one clash on the slot, and the one retried counts again.
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
        var window = TimeSpan.FromSeconds(Math.Max(1, limits.GetValue($"{Throttle.TicketCreation}:WindowSeconds", 60)));
        var start = new DateTime(now.Ticks - (now.Ticks % window.Ticks), DateTimeKind.Utc);
        var here = openedHere.GetValueOrDefault(customerId);
        if (here == 0)
        {
            // Slots of past windows have done their work.
            await db.MailTicketSlots.Where(s => s.CustomerId == customerId && s.WindowStart < start).ExecuteDeleteAsync(cancellationToken);
        }
        var stored = await db.Tickets.CountAsync(t => t.CustomerId == customerId && t.CreatedAt >= start, cancellationToken);
        if (stored + here >= permits)
        {
            return false;
        }
        db.MailTicketSlots.Add(new MailTicketSlot { CustomerId = customerId, WindowStart = start, Slot = stored + here + 1 });
        openedHere[customerId] = here + 1;
        return true;
    }
}

/// <summary>One ticket opened by mail in a customer's limit window: the key makes concurrent openings of the same slot clash.</summary>
public sealed class MailTicketSlot
{
    public Guid CustomerId { get; set; }
    public DateTime WindowStart { get; set; }
    public int Slot { get; set; }
}

internal sealed class MailTicketSlotConfiguration : IEntityTypeConfiguration<MailTicketSlot>
{
    public void Configure(EntityTypeBuilder<MailTicketSlot> slot)
    {
        slot.ToTable("MailTicketSlots");
        slot.HasKey(s => new { s.CustomerId, s.WindowStart, s.Slot });
    }
}
