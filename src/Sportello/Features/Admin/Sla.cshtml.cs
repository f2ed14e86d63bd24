using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;
using Sportello.Features.Accounts;
using Sportello.Features.Sla;

namespace Sportello.Features.Admin;

public sealed class SlaModel(ListSlaPolicies listPolicies, ChangeSlaPolicy changePolicy, ReadSlaReport readReport) : PageModel
{
    public List<SlaPolicyView> Policies { get; private set; } = [];
    public SlaReport.Report Report { get; private set; } = null!;

    [BindProperty(SupportsGet = true)]
    public DateOnly From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly To { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostPolicyAsync(string channel, string priority, int? firstResponseMinutes, int? nextResponseMinutes, int? pickupSeconds)
    {
        var outcome = await changePolicy.HandleAsync(channel, priority, new SlaPolicyRequest(firstResponseMinutes, nextResponseMinutes, pickupSeconds), HttpContext.RequestAborted);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            await LoadAsync();
            return Page();
        }
        return RedirectToPage();
    }

    private async Task LoadAsync()
    {
        // The period is whole days in the admin's own zone.
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(User.TimeZone()) ?? DateTimeZone.Utc;
        (From, To, Report) = await readReport.DaysAsync(From, To, zone, HttpContext.RequestAborted);
        Policies = await listPolicies.HandleAsync(HttpContext.RequestAborted);
    }
}
