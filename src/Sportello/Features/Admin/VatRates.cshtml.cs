using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sportello.Features.Accounts;
using Sportello.Features.Billing;
using Sportello.Features.Billing.Pages;
using Sportello.Web;

namespace Sportello.Features.Admin;

/// <summary>
/// Admins keep the VAT rates: every dated row (<see cref="ReadVatRates"/>), a new row ahead of an announced change and the
/// withdrawal of one not yet in force (<see cref="ChangeVatRates"/>, as <c>/api/v1/admin/vat-rates</c>), and the audit trail.
/// </summary>
public sealed class VatRatesModel(ReadVatRates read, ChangeVatRates change, QuoteVat quote, CurrentUser current, IStringLocalizer<Text> text) : PageModel
{
    public sealed class InputModel
    {
        public string? Country { get; set; }
        public string? Rate { get; set; }
        public string? EffectiveFrom { get; set; }
        public string? Source { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>The filter: a rule key (an EU state, US, OTHER) or empty for all.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Country { get; set; }

    /// <summary>The announced row whose withdrawal the admin is asked to confirm.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Confirm { get; set; }

    public Guid? ConfirmId => Guid.TryParse(Confirm, out var id) ? id : null;

    [TempData]
    public string? Notice { get; set; }

    public DateOnly Today { get; private set; }
    public List<VatRateView> Rows { get; private set; } = [];
    public List<VatRateChangeView> Changes { get; private set; } = [];

    /// <summary>The row whose withdrawal was refused, to show the reason beside it.</summary>
    public Guid? RefusedId { get; private set; }

    /// <summary>The choices of the selectors: the EU states by name in the reader's language, then US and OTHER.</summary>
    public static List<(string Code, string Name)> Choices() =>
        [.. PricesModel.EuChoices(), (VatCountries.Us, VatCountries.Name(VatCountries.Us, BillingPage.Language)),
            (VatCountries.Other, VatCountries.Name(VatCountries.Other, BillingPage.Language))];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync())
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAddAsync()
    {
        var errors = new ValidationErrors();
        var basisPoints = ParsePercent(Input.Rate, errors, "rate");
        if (!errors.Any)
        {
            var request = new VatRateRequest(Input.Country, basisPoints, Input.EffectiveFrom, Input.Source);
            var outcome = await change.AddAsync(current.Id, request, HttpContext.RequestAborted);
            if (outcome.Value is { } added)
            {
                Notice = "added";
                return Redirect($"/admin/vat?country={Uri.EscapeDataString(added.Country)}#rates");
            }
            errors = outcome.Errors;
        }
        errors.CopyTo(this, "Input.", name => name == "rateBasisPoints" ? "rate" : name);
        if (errors.Has("rateBasisPoints"))
        {
            // The API's message names basis points; the form asks for a percentage.
            ModelState.Remove("Input.Rate");
            ModelState.AddModelError("Input.Rate", text["The rate must be from 0 % to 100 %."]);
        }
        await LoadAsync();
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public async Task<IActionResult> OnPostWithdrawAsync(Guid id)
    {
        var outcome = await change.WithdrawAsync(current.Id, id, HttpContext.RequestAborted);
        if (outcome is { Value: { } withdrawn })
        {
            Notice = "withdrawn";
            return Redirect($"/admin/vat?country={Uri.EscapeDataString(withdrawn.Country)}#rates");
        }
        if (outcome is null)
        {
            ModelState.AddModelError("Withdraw", text["That rate no longer exists: it may have been withdrawn meanwhile."]);
        }
        else
        {
            outcome.Errors.CopyTo(this, "Withdraw.");
            RefusedId = id;
        }
        await LoadAsync();
        Response.StatusCode = outcome is null ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>A rate as people type it, in percent with a point or a comma (<c>25.5</c>, <c>25,5</c>, <c>25,5 %</c>), into basis points.</summary>
    public static int? ParsePercent(string? text, ValidationErrors errors, string field)
    {
        var value = (text ?? "").Replace("%", "", StringComparison.Ordinal).Trim().Replace(',', '.');
        if (value.Length == 0)
        {
            errors.Add(field, "Enter the rate in percent, for example 25.5.");
            return null;
        }
        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent)
            || value.Count(c => c == '.') > 1)
        {
            errors.Add(field, "The rate must be a number in percent, for example 25.5.");
            return null;
        }
        if (decimal.Round(percent, 2) != percent)
        {
            errors.Add(field, "The rate may have at most two decimals.");
            return null;
        }
        // Out of range goes on to the use case, which refuses it; a huge number is refused here before it overflows.
        return Math.Abs(percent) > 1_000_000 ? 100_000_000 : (int)(percent * 100);
    }

    /// <summary>The audit's action as the page says it (translated with T).</summary>
    public static string Action(string action) => action switch
    {
        "added" => "added",
        "ended" => "ended by a later rate",
        "reopened" => "reopened",
        "withdrawn" => "withdrawn",
        _ => action,
    };

    public string WhoName(VatRateChangeView c) => c.ByName ?? text["a deleted user"];

    /// <summary>False when the filter names no country VAT knows.</summary>
    private async Task<bool> LoadAsync()
    {
        Today = quote.Today();
        Changes = await change.ChangesAsync(HttpContext.RequestAborted);
        var rows = await read.HandleAsync(Country, BillingPage.Language, HttpContext.RequestAborted);
        if (rows.Value is { } found)
        {
            // Grouped by country in the order of the selector (names sort differently in each language).
            var order = Choices().Select((c, i) => (c.Code, i)).ToDictionary(c => c.Code, c => c.i, StringComparer.Ordinal);
            Rows = [.. found.OrderBy(r => order.GetValueOrDefault(r.Country, int.MaxValue)).ThenBy(r => r.EffectiveFrom)];
            return true;
        }
        rows.Errors.CopyTo(this);
        Rows = (await read.HandleAsync(null, BillingPage.Language, HttpContext.RequestAborted)).Value ?? [];
        return false;
    }
}
