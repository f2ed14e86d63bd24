using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sportello.Features.Billing;

/// <summary>A rate as the seed's table gives it: null when the table leaves it blank (never read as 0 %).</summary>
public sealed record SeedRate(string Key, string Name, int? RateBasisPoints);

/// <summary>A dated standard rate known from an authority, which corrects or completes the seed's table.</summary>
public sealed record KnownRate(string Country, int RateBasisPoints, DateOnly From, DateOnly? To, string Source);

/// <summary>
/// The VAT rates Sportello ships: the seed's table (the provider's contact page, <c>Data/vat-seed.txt</c>) imported as it
/// is, then corrected by the dated changes of standard rates since <see cref="Since"/> that the authorities published
/// (<see cref="Known"/>; docs/vat.md names each source). The table answers for dates from <see cref="Since"/> on.
/// </summary>
public static class VatTable
{
    public static readonly DateOnly Since = new(2023, 1, 1);
    private static readonly DateTime Shipping = new(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc);
    private const string SeedSource = "The seed's table; no change of the standard rate since 2023 found (European Commission, TEDB)";

    private static readonly Dictionary<string, string> SeedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Other"] = VatCountries.Other, ["USA"] = VatCountries.Us, ["Austria"] = "AT", ["Belgium"] = "BE", ["Bulgaria"] = "BG", ["Croatia"] = "HR",
        ["Cyprus"] = "CY", ["Czech Republic"] = "CZ", ["Denmark"] = "DK", ["Estonia"] = "EE", ["France"] = "FR", ["Finland"] = "FI",
        ["Germany"] = "DE", ["Greece"] = "GR", ["Hungary"] = "HU", ["Ireland"] = "IE", ["Italy"] = "IT", ["Latvia"] = "LV", ["Lithuania"] = "LT",
        ["Luxembourg"] = "LU", ["Malta"] = "MT", ["Netherlands"] = "NL", ["Poland"] = "PL", ["Portugal"] = "PT", ["Romania"] = "RO",
        ["Slovakia"] = "SK", ["Slovenia"] = "SI", ["Spain"] = "ES", ["Sweden"] = "SE",
    };

    /// <summary>Changes of standard rates since 2023, and the seed's blank, each from its authority (docs/vat.md).</summary>
    public static readonly IReadOnlyList<KnownRate> Known =
    [
        new("EE", 2000, Since, new(2023, 12, 31), "Estonian Value-Added Tax Act (Käibemaksuseadus) § 15: 20 %; European Commission, TEDB"),
        new("EE", 2200, new(2024, 1, 1), new(2025, 6, 30), "Käibemaksuseadus amended 2022 (RT I, 22.12.2022): 22 % from 2024-01-01; Estonian Tax and Customs Board"),
        new("EE", 2400, new(2025, 7, 1), null, "Käibemaksuseadus amended 2024: 24 % from 2025-07-01; Estonian Tax and Customs Board"),
        new("FI", 2400, Since, new(2024, 8, 31), "Finnish VAT Act (Arvonlisäverolaki) § 84: 24 %; European Commission, TEDB"),
        new("FI", 2550, new(2024, 9, 1), null, "Arvonlisäverolaki § 84 amended (Act 300/2024): 25.5 % from 2024-09-01; Finnish Tax Administration (Vero)"),
        new("SK", 2000, Since, new(2024, 12, 31), "Slovak VAT Act 222/2004 Coll. § 27: 20 %; European Commission, TEDB"),
        new("SK", 2300, new(2025, 1, 1), null, "Act 278/2024 Coll. amending Act 222/2004: 23 % from 2025-01-01; Financial Administration of the Slovak Republic"),
        new("RO", 1900, Since, new(2025, 7, 31), "Romanian Fiscal Code (Law 227/2015) art. 291: 19 %; European Commission, TEDB"),
        new("RO", 2100, new(2025, 8, 1), null, "Law 141/2025 amending the Fiscal Code: 21 % from 2025-08-01; ANAF"),
        new("LU", 1600, Since, new(2023, 12, 31), "Law of 26 October 2022 (temporary cut for 2023): 16 %; Administration de l'enregistrement (AED)"),
        new("LU", 1700, new(2024, 1, 1), null, "Luxembourg VAT Law art. 39, back to 17 % from 2024-01-01; AED"),
        new("SI", 2200, Since, null, "Slovenian VAT Act (ZDDV-1) art. 41: 22 % (the seed's table leaves it blank); Financial Administration (FURS)"),
    ];

    /// <summary>Reads the seed's table: a bullet, the country's name, its rate; a rate left blank is flagged in <paramref name="problems"/>.</summary>
    public static List<SeedRate> Import(string text, List<string> problems)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var rates = new List<SeedRate>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith('•') || i + 2 >= lines.Count)
            {
                continue;
            }
            var name = lines[i + 1];
            var rate = lines[i + 2];
            i += 2;
            if (!SeedNames.TryGetValue(name, out var key))
            {
                problems.Add($"{name}: not a country the table knows");
                continue;
            }
            var number = rate.TrimEnd('%').Trim().Replace(',', '.');
            if (number.Length == 0 || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) || percent is < 0 or > 100)
            {
                problems.Add($"{name}: no rate ('{rate}')");
                rates.Add(new SeedRate(key, name, null));
                continue;
            }
            rates.Add(new SeedRate(key, name, (int)Math.Round(percent * 100, MidpointRounding.AwayFromZero)));
        }
        return rates;
    }

    public static string SeedText()
    {
        using var stream = typeof(VatTable).Assembly.GetManifestResourceStream("billing/vat-seed.txt")
            ?? throw new InvalidOperationException("The seed's VAT table is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The rows every database starts with: a country's known dated rates where the authorities changed them (or the seed
    /// left a blank), else the seed's rate from <see cref="Since"/>. A blank with no known rate stops the build of the
    /// table: it is never read as 0 %.
    /// </summary>
    public static VatRate[] Shipped()
    {
        var problems = new List<string>();
        var seed = Import(SeedText(), problems);
        var rows = new List<VatRate>();
        foreach (var rate in seed)
        {
            var known = Known.Where(k => k.Country == rate.Key).ToList();
            if (known.Count > 0)
            {
                rows.AddRange(known.Select(k => Row(k.Country, k.RateBasisPoints, k.From, k.To, k.Source)));
            }
            else if (rate.RateBasisPoints is { } basisPoints)
            {
                rows.Add(Row(rate.Key, basisPoints, Since, null, SeedSource));
            }
            else
            {
                throw new InvalidOperationException($"The seed's VAT table has no rate for {rate.Name}, and none is known: it cannot be read as 0 %.");
            }
        }
        return [.. rows];
    }

    private static VatRate Row(string country, int basisPoints, DateOnly from, DateOnly? to, string source) => new()
    {
        Id = StableId($"vat:{country}:{from:yyyy-MM-dd}"), Country = country, RateBasisPoints = basisPoints, EffectiveFrom = from, EffectiveTo = to,
        Source = source, CreatedAt = Shipping,
    };

    // The same id in every database and every migration, for the same shipped row.
    private static Guid StableId(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));
}
