using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Admin;

public sealed class IndexModel(SportelloDb db, TimeProvider clock) : PageModel
{
    public int Customers { get; private set; }
    public int Services { get; private set; }
    public int Agents { get; private set; }
    public double? WithinTarget { get; private set; }
    public int MailProblems { get; private set; }

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Customers = await AccountsApi.CustomersQuery(db).CountAsync(ct);
        Services = await db.Services.CountAsync(ct);
        Agents = await db.AgentDepartments.Select(d => d.UserId).Distinct().CountAsync(ct);
        MailProblems = await db.InboundMessages.CountAsync(m => m.State == Mail.Inbound.InboundStates.Quarantined, ct)
            + await db.OutboxMessages.CountAsync(m => m.State == Mail.Outbound.OutboxStates.Failed || m.State == Mail.Outbound.OutboxStates.Bounced, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        WithinTarget = (await Sla.SlaReport.ReadAsync(db, now.AddDays(-30), now, now, ct)).Overall.ShareWithinTarget;
    }
}
