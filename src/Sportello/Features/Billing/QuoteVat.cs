using System.Globalization;
using Microsoft.Extensions.Options;
using NodaTime;
using Sportello.Web;

namespace Sportello.Features.Billing;

/// <summary>A price with its VAT, for a buyer in <c>Country</c> on <c>Date</c>, and the rule that set it.</summary>
public sealed record VatQuote(string Country, int RateBasisPoints, long NetCents, long VatCents, long GrossCents, bool ReverseCharge,
    string Rule, string? Mention, DateOnly Date, string? VatId);

/// <summary>
/// <c>GET /vat/quote</c>: what a buyer pays on a net amount. The country is an assigned ISO code (its rule: the EU state's
/// own, US, or OTHER); a VAT id must be well formed for that country, and makes the buyer a business; the date defaults
/// to today in the seller's zone. An EU state the table has no rate for on that date answers 422, never 0 %.
/// </summary>
public sealed class QuoteVat(ReadVatRates rates, TimeProvider clock, IOptions<BillingOptions> options)
{
    public const long MaxNetCents = 1_000_000_000_000;

    public async Task<Outcome<VatQuote>> HandleAsync(string? country, string? netCents, string? vatId, string? date, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var code = Accounts.Countries.Normalize(country);
        if (code is null)
        {
            errors.Add("country", string.IsNullOrWhiteSpace(country) ? "country is required." : "country is not an assigned ISO 3166-1 alpha-2 code.");
        }
        long net = 0;
        if (string.IsNullOrWhiteSpace(netCents))
        {
            errors.Add("netCents", "netCents is required.");
        }
        else if (!long.TryParse(netCents, NumberStyles.None, CultureInfo.InvariantCulture, out net) || net > MaxNetCents)
        {
            errors.Add("netCents", "netCents must be a whole number of cents from 0 to {0}.", MaxNetCents);
        }
        var day = Today();
        if (!string.IsNullOrWhiteSpace(date) && !DateOnly.TryParseExact(date.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            errors.Add("date", "date must be a day as YYYY-MM-DD.");
        }
        string? normalizedId = null;
        if (code is not null && VatCountries.IsEu(code) && !string.IsNullOrWhiteSpace(vatId))
        {
            var check = VatIds.Check(code, vatId);
            if (check.Valid)
            {
                normalizedId = check.Normalized;
            }
            else
            {
                errors.Add("vatId", check.Problem ?? "vatId is not valid.", check.ProblemCountry ?? code);
            }
        }
        if (errors.Any)
        {
            return Outcome<VatQuote>.Invalid(errors);
        }
        var key = VatCountries.RuleKey(code!);
        var rule = VatRules.Decide(options.Value.SellerCountry, code!, business: normalizedId is not null);
        if (await rates.InForceAsync(key, day, cancellationToken) is not { } rate)
        {
            return Outcome<VatQuote>.Unprocessable(errors.Add("country", "No VAT rate is known for {0} on {1}: it is not assumed to be 0 %.", code!,
                day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        var basisPoints = rule is VatRuleKinds.ReverseCharge or VatRuleKinds.OutOfScope ? 0 : rate.RateBasisPoints;
        var vat = VatRules.VatCents(net, basisPoints);
        return Outcome<VatQuote>.Ok(new VatQuote(code!, basisPoints, net, vat, net + vat, rule == VatRuleKinds.ReverseCharge, rule, VatRules.Mention(rule),
            day, normalizedId));
    }

    /// <summary>Today in the seller's zone.</summary>
    public DateOnly Today()
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(options.Value.TimeZone) ?? DateTimeZone.Utc;
        return Instant.FromDateTimeOffset(clock.GetUtcNow()).InZone(zone).Date.ToDateOnly();
    }
}
