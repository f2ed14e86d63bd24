using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Mail;
using Sportello.Features.Services;
using Sportello.Features.Sla;

namespace Sportello.Features.Admin;

public sealed class IndexModel(
    ListCustomers customers, ListServices services, ListAgents agents, ReadMailSummary mail, ReadSlaReport sla,
    CannedAnswers.ManageCannedAnswers canned, Notices.ReadNotices notices) : PageModel
{
    public int Customers { get; private set; }
    public int Services { get; private set; }
    public int Agents { get; private set; }
    public double? WithinTarget { get; private set; }
    public int MailProblems { get; private set; }
    public int CannedAnswers { get; private set; }
    public int OpenNotices { get; private set; }

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Customers = await customers.CountAsync(ct);
        Services = await services.CountAsync(ct);
        Agents = await agents.CountAsync(ct);
        MailProblems = await mail.ProblemsAsync(ct);
        CannedAnswers = await canned.CountAsync(ct);
        OpenNotices = await notices.OpenCountAsync(ct);
        WithinTarget = (await sla.LastDaysAsync(30, ct)).Overall.ShareWithinTarget;
    }
}
