using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Billing;

/// <summary><c>POST /admin/vat-rates</c>: a new rate for a country from a date, with where it comes from.</summary>
public sealed record VatRateRequest(string? Country, int? RateBasisPoints, string? EffectiveFrom, string? Source);

public sealed record VatRateChangeView(Guid Id, Guid VatRateId, string Action, string Country, int RateBasisPoints, DateOnly EffectiveFrom,
    DateOnly? EffectiveTo, string Source, DateTime At, Guid? ById, string? ByName);

/// <summary>
/// Admins keep the rates: a change (announced by a government, or found missing) is a new row from its date, after the
/// country's last one, which then ends the day before; a row not yet in force can be withdrawn, reopening the one it
/// ended. Rows in force are never rewritten: invoices and quotes for past dates keep their rate. Every step is in the
/// audit trail (<see cref="VatRateChange"/>), in the same transaction.
/// </summary>
public sealed class ChangeVatRates(SportelloDb db, QuoteVat quote, TimeProvider clock)
{
    public const int MaxSource = 500;

    public async Task<Outcome<VatRateView>> AddAsync(Guid adminId, VatRateRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var key = request.Country?.Trim().ToUpperInvariant();
        if (key != VatCountries.Other && (Accounts.Countries.Normalize(key) is not { } code || VatCountries.RuleKey(code) != code))
        {
            errors.Add("country", "country must be an EU member state, US or OTHER: every other country follows OTHER.");
        }
        if (request.RateBasisPoints is not (>= 0 and <= 10_000))
        {
            errors.Add("rateBasisPoints", "rateBasisPoints must be from 0 to 10000 (25.5 % is 2550).");
        }
        if (!DateOnly.TryParseExact(request.EffectiveFrom?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
        {
            errors.Add("effectiveFrom", "effectiveFrom must be a day as YYYY-MM-DD.");
        }
        var source = request.Source?.Trim();
        if (string.IsNullOrEmpty(source) || source.Length > MaxSource)
        {
            errors.Add("source", "source is required (the law or authority the rate comes from), at most {0} characters.", MaxSource);
        }
        if (errors.Any)
        {
            return Outcome<VatRateView>.Invalid(errors);
        }
        var last = await db.VatRates.Where(r => r.Country == key).OrderByDescending(r => r.EffectiveFrom).FirstOrDefaultAsync(cancellationToken);
        if (last is not null && from <= last.EffectiveFrom)
        {
            return Outcome<VatRateView>.Invalid(errors.Add("effectiveFrom", "A change comes after the last one: {0} has a rate from {1}.", key!,
                last.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        if (last?.EffectiveTo is { } end && end >= from)
        {
            return Outcome<VatRateView>.Invalid(errors.Add("effectiveFrom", "The last rate of {0} runs until {1}.", key!, end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var rate = new VatRate { Country = key!, RateBasisPoints = request.RateBasisPoints!.Value, EffectiveFrom = from, Source = source!, CreatedAt = now, CreatedById = adminId };
        db.VatRates.Add(rate);
        Audit(rate, "added", adminId, now);
        if (last is { EffectiveTo: null })
        {
            last.EffectiveTo = from.AddDays(-1);
            Audit(last, "ended", adminId, now);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return Outcome<VatRateView>.Invalid(new ValidationErrors().Add("effectiveFrom", "Another change of {0} was saved meanwhile: look again.", key!));
        }
        return Outcome<VatRateView>.Ok(View(rate));
    }

    /// <summary>Null when there is no such row; invalid when it is already in force, or a later row follows it.</summary>
    public async Task<Outcome<VatRateView>?> WithdrawAsync(Guid adminId, Guid rateId, CancellationToken cancellationToken = default)
    {
        if (await db.VatRates.FirstOrDefaultAsync(r => r.Id == rateId, cancellationToken) is not { } rate)
        {
            return null;
        }
        var errors = new ValidationErrors();
        if (rate.EffectiveFrom <= quote.Today())
        {
            return Outcome<VatRateView>.Invalid(errors.Add("rate", "A rate already in force is history: add a new row from the date of the change instead."));
        }
        if (await db.VatRates.AnyAsync(r => r.Country == rate.Country && r.EffectiveFrom > rate.EffectiveFrom, cancellationToken))
        {
            return Outcome<VatRateView>.Invalid(errors.Add("rate", "A later rate follows this one: withdraw that first."));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var before = rate.EffectiveFrom.AddDays(-1);
        if (await db.VatRates.FirstOrDefaultAsync(r => r.Country == rate.Country && r.EffectiveTo == before, cancellationToken) is { } previous)
        {
            previous.EffectiveTo = null;
            Audit(previous, "reopened", adminId, now);
        }
        db.VatRates.Remove(rate);
        Audit(rate, "withdrawn", adminId, now);
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<VatRateView>.Ok(View(rate));
    }

    public async Task<List<VatRateChangeView>> ChangesAsync(CancellationToken cancellationToken = default) =>
        [.. (await (from c in db.VatRateChanges.AsNoTracking()
                    join u in db.Users on c.ById equals (Guid?)u.Id into admins
                    from u in admins.DefaultIfEmpty()
                    orderby c.At descending, c.Id descending
                    select new { Change = c, ByName = u == null ? null : u.Name }).Take(500).ToListAsync(cancellationToken))
            .Select(r => new VatRateChangeView(r.Change.Id, r.Change.VatRateId, r.Change.Action, r.Change.Country, r.Change.RateBasisPoints,
                r.Change.EffectiveFrom, r.Change.EffectiveTo, r.Change.Source, DateTime.SpecifyKind(r.Change.At, DateTimeKind.Utc), r.Change.ById, r.ByName))];

    private void Audit(VatRate rate, string action, Guid adminId, DateTime now) => db.VatRateChanges.Add(new VatRateChange
    {
        VatRateId = rate.Id, Action = action, Country = rate.Country, RateBasisPoints = rate.RateBasisPoints, EffectiveFrom = rate.EffectiveFrom,
        EffectiveTo = rate.EffectiveTo, Source = rate.Source, At = now, ById = adminId,
    });

    private static VatRateView View(VatRate r) =>
        new(r.Id, r.Country, VatCountries.Name(r.Country, "en"), r.RateBasisPoints, r.EffectiveFrom, r.EffectiveTo, r.Source);
}
