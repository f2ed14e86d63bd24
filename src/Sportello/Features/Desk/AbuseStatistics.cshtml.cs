using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Abuse;
using Sportello.Features.Accounts;

namespace Sportello.Features.Desk;

/// <summary>The abuse desk's figures for a period: cases and reports per type, per customer and per service.</summary>
public sealed class AbuseStatisticsModel(CurrentUser current, AbuseStatistics statistics) : PageModel
{
    /// <summary>The first day, <c>yyyy-MM-dd</c> (the date input's format); empty for 30 days before <see cref="To"/>.</summary>
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    /// <summary>The day after the last one; empty for tomorrow.</summary>
    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    public AbuseStatisticsView? Figures { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await statistics.HandleAsync(current.Id, From, To, HttpContext.RequestAborted) is not { } outcome)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Figures = outcome.Value;
        From = Figures.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        To = Figures.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return Page();
    }
}
