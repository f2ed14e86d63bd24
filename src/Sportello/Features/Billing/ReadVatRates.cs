using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Billing;

public sealed record VatRateView(Guid Id, string Country, string Name, int RateBasisPoints, DateOnly EffectiveFrom, DateOnly? EffectiveTo, string Source);

/// <summary><c>GET /vat/rates</c>: every dated row, of one country or of all (the 27 EU states, US, OTHER).</summary>
public sealed class ReadVatRates(SportelloDb db)
{
    public async Task<Outcome<List<VatRateView>>> HandleAsync(string? country, string language, CancellationToken cancellationToken = default)
    {
        string? key = null;
        if (!string.IsNullOrWhiteSpace(country))
        {
            var upper = country.Trim().ToUpperInvariant();
            if (upper == VatCountries.Other)
            {
                key = upper;
            }
            else if (Accounts.Countries.Normalize(upper) is { } code)
            {
                key = VatCountries.RuleKey(code);
            }
            else
            {
                return Outcome<List<VatRateView>>.Invalid(new ValidationErrors().Add("country", "country is not an assigned ISO 3166-1 alpha-2 code."));
            }
        }
        var rows = await db.VatRates.AsNoTracking().Where(r => key == null || r.Country == key).ToListAsync(cancellationToken);
        return Outcome<List<VatRateView>>.Ok([.. rows.OrderBy(r => VatCountries.Name(r.Country, "en"), StringComparer.Ordinal).ThenBy(r => r.EffectiveFrom)
            .Select(r => new VatRateView(r.Id, r.Country, VatCountries.Name(r.Country, language), r.RateBasisPoints, r.EffectiveFrom, r.EffectiveTo, r.Source))]);
    }

    /// <summary>The row of <paramref name="ruleKey"/> in force on <paramref name="date"/>, if the table knows one.</summary>
    public Task<VatRate?> InForceAsync(string ruleKey, DateOnly date, CancellationToken cancellationToken = default) =>
        db.VatRates.AsNoTracking().Where(r => r.Country == ruleKey && r.EffectiveFrom <= date && (r.EffectiveTo == null || r.EffectiveTo >= date))
            .OrderByDescending(r => r.EffectiveFrom).FirstOrDefaultAsync(cancellationToken);
}
