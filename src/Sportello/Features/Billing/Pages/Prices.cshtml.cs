using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Billing.Pages;

/// <summary>
/// The public price helper: what a consumer in a country pays on a net price (<see cref="QuoteVat"/>, as
/// <c>GET /api/v1/vat/quote</c>), and the rates in force today from the stored table (<see cref="ReadVatRates"/>). A GET
/// form, so it works without JavaScript and a result can be linked to.
/// </summary>
[AllowAnonymous]
public sealed class PricesModel(QuoteVat quote, ReadVatRates rates) : PageModel
{
    /// <summary>A row of the table: an EU state, US or OTHER, and its rate today; null when the table knows none (never 0 %).</summary>
    public sealed record RateToday(string Key, string Name, int? RateBasisPoints);

    [BindProperty(SupportsGet = true)]
    public string? Country { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Amount { get; set; }

    public VatQuote? Quote { get; private set; }

    /// <summary>The country asked about has no known rate today: the page says so rather than show 0 %.</summary>
    public string? UnknownRateFor { get; private set; }

    public DateOnly Today { get; private set; }
    public List<RateToday> Rates { get; private set; } = [];
    public long? NetCents { get; private set; }

    /// <summary>The choices of the selector: the EU states, then every other assigned country (the US and OTHER rules).</summary>
    public static List<(string Code, string Name)> EuChoices() =>
        [.. VatCountries.Eu.Keys.Select(c => (c, VatCountries.Name(c, BillingPage.Language))).OrderBy(c => c.Item2, StringComparer.CurrentCulture)];

    public static List<(string Code, string Name)> OtherChoices() =>
        [.. Countries.ForPicker().Where(c => !VatCountries.IsEu(c.Code) && c.Code != VatCountries.Us)];

    public async Task<IActionResult> OnGetAsync()
    {
        var language = BillingPage.Language;
        Today = quote.Today();
        await LoadRatesAsync(language);
        if (Country is null && Amount is null)
        {
            return Page();
        }
        var errors = new ValidationErrors();
        var code = Countries.Normalize(Country);
        if (code is null)
        {
            errors.Add("country", string.IsNullOrWhiteSpace(Country) ? "Choose a country." : "Choose a country from the list.");
        }
        NetCents = NetAmount.Parse(Amount, language, errors, "amount");
        if (!errors.Any)
        {
            var outcome = await quote.HandleAsync(code, NetCents!.Value.ToString(CultureInfo.InvariantCulture), null, null, HttpContext.RequestAborted);
            if (outcome.Value is { } quoted)
            {
                Quote = quoted;
                return Page();
            }
            if (outcome.CannotBeDone)
            {
                UnknownRateFor = code;
                return Page();
            }
            errors = outcome.Errors;
        }
        errors.CopyTo(this, field: name => name == "netCents" ? "amount" : name);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public static string NameOf(string code) =>
        VatCountries.IsEu(code) || code == VatCountries.Us ? VatCountries.Name(code, BillingPage.Language) : Countries.DisplayName(code);

    private async Task LoadRatesAsync(string language)
    {
        var rows = (await rates.HandleAsync(null, language, HttpContext.RequestAborted)).Value ?? [];
        int? InForce(string key) => rows.FirstOrDefault(r => r.Country == key && r.EffectiveFrom <= Today && (r.EffectiveTo is null || Today <= r.EffectiveTo))?.RateBasisPoints;
        Rates = [.. EuChoices().Select(c => new RateToday(c.Code, c.Name, InForce(c.Code))),
            new RateToday(VatCountries.Us, VatCountries.Name(VatCountries.Us, language), InForce(VatCountries.Us)),
            new RateToday(VatCountries.Other, VatCountries.Name(VatCountries.Other, language), InForce(VatCountries.Other))];
    }
}
