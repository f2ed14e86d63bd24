using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sportello.Features.Billing;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Billing;

/// <summary>The shipped table itself: the seed's import and the dated rows, without a database.</summary>
public sealed class VatTableTests
{
    [Fact]
    public void TheSeedsImport_FlagsSloveniasBlank_AndNeverReadsItAsZero()
    {
        var problems = new List<string>();
        var seed = VatTable.Import(VatTable.SeedText(), problems);
        Assert.Equal(29, seed.Count);
        Assert.Null(seed.Single(r => r.Key == "SI").RateBasisPoints);
        Assert.Equal(["Slovenia: no rate ('%')"], problems);
        Assert.Equal(2200, seed.Single(r => r.Key == "IT").RateBasisPoints);
        Assert.Equal(0, seed.Single(r => r.Key == VatCountries.Us).RateBasisPoints);
        Assert.Equal(0, seed.Single(r => r.Key == VatCountries.Other).RateBasisPoints);
        // The shipped table fills the blank from the Slovenian law, not with 0.
        Assert.Equal(2200, VatTable.Shipped().Single(r => r.Country == "SI").RateBasisPoints);
        var garbled = VatTable.Import("  • Italy\n\n    Italy\n\n    ventidue%\n  • Narnia\n    Narnia\n    10%\n", problems = []);
        Assert.Null(Assert.Single(garbled).RateBasisPoints);
        Assert.Equal(["Italy: no rate ('ventidue%')", "Narnia: not a country the table knows"], problems);
    }

    [Fact]
    public void EveryEuState_UsAndOther_HaveExactlyOneRateOnEveryDay_From2023()
    {
        var rows = VatTable.Shipped();
        Assert.Equal(VatCountries.Eu.Keys.Append(VatCountries.Us).Append(VatCountries.Other).Order(StringComparer.Ordinal),
            rows.Select(r => r.Country).Distinct().Order(StringComparer.Ordinal));
        for (var day = VatTable.Since; day <= new DateOnly(2030, 12, 31); day = day.AddDays(1))
        {
            foreach (var country in rows.Select(r => r.Country).Distinct())
            {
                Assert.True(rows.Count(r => r.Country == country && r.AppliesOn(day)) == 1, $"{country} on {day:yyyy-MM-dd}");
            }
        }
        Assert.Equal(249, Sportello.Features.Accounts.Countries.Codes.Count);
    }

    [Fact]
    public void EachLine_IsRoundedHalfUp_ToTheCent()
    {
        Assert.Equal(0, VatRules.VatCents(1, 2200));
        Assert.Equal(1, VatRules.VatCents(3, 2200));
        Assert.Equal(6, VatRules.VatCents(25, 2200));
        Assert.Equal(-6, VatRules.VatCents(-25, 2200));
        Assert.Equal(7333, VatRules.VatCents(33333, 2200));
        // 333.33 on three lines of 111.11: each line rounds (24.4442 → 24.44), so the lines add to 73.32, not 73.33.
        Assert.Equal(7332, Enumerable.Repeat(11111L, 3).Sum(net => VatRules.VatCents(net, 2200)));
        Assert.Equal(3, VatRules.VatCents(10, 2550));
        Assert.Equal(1, VatRules.VatCents(2, 2550));
    }
}

/// <summary>Quotes and rates through the API, and admins keeping the rates.</summary>
[Trait("Category", "Data")]
public sealed class VatTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private async Task<JsonElement> QuoteAsync(string query) =>
        await (await app.Anonymous().GetAsync($"/api/v1/vat/quote?{query}")).JsonAsync(HttpStatusCode.OK);

    private async Task<int> RateAsync(string country, string? date = null) =>
        (await QuoteAsync($"country={country}&netCents=10000" + (date is null ? "" : $"&date={date}"))).GetProperty("rateBasisPoints").GetInt32();

    [Theory]
    [InlineData("AT", 2000)]
    [InlineData("BE", 2100)]
    [InlineData("BG", 2000)]
    [InlineData("HR", 2500)]
    [InlineData("CY", 1900)]
    [InlineData("CZ", 2100)]
    [InlineData("DK", 2500)]
    [InlineData("EE", 2400)]
    [InlineData("FR", 2000)]
    [InlineData("FI", 2550)]
    [InlineData("DE", 1900)]
    [InlineData("GR", 2400)]
    [InlineData("HU", 2700)]
    [InlineData("IE", 2300)]
    [InlineData("IT", 2200)]
    [InlineData("LV", 2100)]
    [InlineData("LT", 2100)]
    [InlineData("LU", 1700)]
    [InlineData("MT", 1800)]
    [InlineData("NL", 2100)]
    [InlineData("PL", 2300)]
    [InlineData("PT", 2300)]
    [InlineData("RO", 2100)]
    [InlineData("SK", 2300)]
    [InlineData("SI", 2200)]
    [InlineData("ES", 2100)]
    [InlineData("SE", 2500)]
    [InlineData("US", 0)]
    [InlineData("CA", 0)]
    [InlineData("ch", 0)]
    public async Task AConsumersQuote_TodayInTheSellersZone_UsesTheirCountrysRate(string country, int basisPoints)
    {
        var quote = await QuoteAsync($"country={country}&netCents=10000");
        Assert.Equal(basisPoints, quote.GetProperty("rateBasisPoints").GetInt32());
        Assert.Equal(basisPoints, quote.GetProperty("vatCents").GetInt64());
        Assert.Equal(10000 + basisPoints, quote.GetProperty("grossCents").GetInt64());
        Assert.False(quote.GetProperty("reverseCharge").GetBoolean());
        Assert.Equal(country.ToUpperInvariant(), quote.GetProperty("country").GetString());
        // The test clock's day in Rome, not the machine's.
        Assert.Equal("2026-11-24", quote.GetProperty("date").GetString());
        Assert.Equal(basisPoints == 0 ? "out-of-scope" : "consumer", quote.GetProperty("rule").GetString());
    }

    [Theory]
    [InlineData("EE", "2023-12-31", 2000, "2024-01-01", 2200)]
    [InlineData("EE", "2025-06-30", 2200, "2025-07-01", 2400)]
    [InlineData("FI", "2024-08-31", 2400, "2024-09-01", 2550)]
    [InlineData("SK", "2024-12-31", 2000, "2025-01-01", 2300)]
    [InlineData("RO", "2025-07-31", 1900, "2025-08-01", 2100)]
    [InlineData("LU", "2023-12-31", 1600, "2024-01-01", 1700)]
    public async Task EachDatedChange_AppliesFromItsDay_AndTheDayBeforeKeepsTheOldRate(string country, string before, int old, string on, int changed)
    {
        Assert.Equal(old, await RateAsync(country, before));
        Assert.Equal(changed, await RateAsync(country, on));
    }

    [Fact]
    public async Task BusinessesPayByTheRules_ReverseChargeAbroad_TheLocalRateAtHome_NothingOutsideTheEu()
    {
        var abroad = await QuoteAsync("country=DE&netCents=10000&vatId=DE136695976");
        Assert.True(abroad.GetProperty("reverseCharge").GetBoolean());
        Assert.Equal(0, abroad.GetProperty("vatCents").GetInt64());
        Assert.Equal("reverse-charge", abroad.GetProperty("rule").GetString());
        Assert.Contains("Art. 196 of Directive 2006/112/EC", abroad.GetProperty("mention").GetString(), StringComparison.Ordinal);
        Assert.Equal("DE136695976", abroad.GetProperty("vatId").GetString());
        var home = await QuoteAsync("country=IT&netCents=10000&vatId=IT%2000743110157");
        Assert.False(home.GetProperty("reverseCharge").GetBoolean());
        Assert.Equal(2200, home.GetProperty("vatCents").GetInt64());
        Assert.Equal("domestic", home.GetProperty("rule").GetString());
        var outside = await QuoteAsync("country=US&netCents=10000&vatId=12-3456789");
        Assert.Equal("out-of-scope", outside.GetProperty("rule").GetString());
        Assert.Contains("Out of scope", outside.GetProperty("mention").GetString(), StringComparison.Ordinal);
        // Awkward amounts round half-up.
        Assert.Equal(0, (await QuoteAsync("country=IT&netCents=1")).GetProperty("vatCents").GetInt64());
        Assert.Equal(6, (await QuoteAsync("country=IT&netCents=25")).GetProperty("vatCents").GetInt64());
        Assert.Equal(7333, (await QuoteAsync("country=IT&netCents=33333")).GetProperty("vatCents").GetInt64());
    }

    [Fact]
    public async Task BadInput_Answers400NamingTheField_AndAnUnknownRateIs422_NeverZero()
    {
        var anonymous = app.Anonymous();
        async Task RefusedAsync(string query, string field) =>
            await (await anonymous.GetAsync($"/api/v1/vat/quote?{query}")).AssertNamesFieldAsync(field);
        await RefusedAsync("netCents=100", "country");
        await RefusedAsync("country=XX&netCents=100", "country");
        await RefusedAsync("country=EU&netCents=100", "country");
        await RefusedAsync("country=ITA&netCents=100", "country");
        await RefusedAsync("country=IT", "netCents");
        await RefusedAsync("country=IT&netCents=12.5", "netCents");
        await RefusedAsync("country=IT&netCents=-1", "netCents");
        await RefusedAsync("country=IT&netCents=99999999999999999999", "netCents");
        await RefusedAsync("country=IT&netCents=100&date=24/11/2026", "date");
        await RefusedAsync("country=DE&netCents=100&vatId=DE136695977", "vatId");
        await RefusedAsync("country=DE&netCents=100&vatId=FR40303265045", "vatId");
        await (await anonymous.GetAsync("/api/v1/vat/rates?country=QQ")).AssertNamesFieldAsync("country");

        var early = await anonymous.GetAsync("/api/v1/vat/quote?country=IT&netCents=100&date=2022-12-31");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, early.StatusCode);
        var problem = await early.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty("country", out _));
    }

    [Fact]
    public async Task TheRatesList_HoldsEveryDatedRow_OfTheEuStatesUsAndOther()
    {
        var rows = (await (await app.Anonymous().GetAsync("/api/v1/vat/rates")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.Equal(29, rows.Select(r => r.GetProperty("country").GetString()).Distinct().Count());
        var estonia = rows.Where(r => r.GetProperty("country").GetString() == "EE").ToList();
        Assert.Equal([2000, 2200, 2400], estonia.Select(r => r.GetProperty("rateBasisPoints").GetInt32()));
        Assert.Equal("2024-01-01", estonia[1].GetProperty("effectiveFrom").GetString());
        Assert.Equal("2025-06-30", estonia[1].GetProperty("effectiveTo").GetString());
        Assert.All(rows, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("source").GetString())));
        var canada = (await (await app.Anonymous().GetAsync("/api/v1/vat/rates?country=ca")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().Single();
        Assert.Equal("OTHER", canada.GetProperty("country").GetString());
    }

    [Fact]
    public async Task AnAdminAddsAFutureRate_WithAnAuditTrail_AndCanWithdrawItBeforeItApplies()
    {
        var admin = await app.AdminAsync();
        await (await admin.PostAsJsonAsync("/api/v1/admin/vat-rates", new { country = "CA", rateBasisPoints = 500, effectiveFrom = "2027-01-01", source = "x" }))
            .AssertNamesFieldAsync("country");
        await (await admin.PostAsJsonAsync("/api/v1/admin/vat-rates", new { country = "MT", rateBasisPoints = 10001, effectiveFrom = "2027-01-01", source = "x" }))
            .AssertNamesFieldAsync("rateBasisPoints");
        await (await admin.PostAsJsonAsync("/api/v1/admin/vat-rates", new { country = "MT", rateBasisPoints = 1900, effectiveFrom = "2022-06-01", source = "x" }))
            .AssertNamesFieldAsync("effectiveFrom");
        await (await admin.PostAsJsonAsync("/api/v1/admin/vat-rates", new { country = "MT", rateBasisPoints = 1900, effectiveFrom = "2027-01-01" }))
            .AssertNamesFieldAsync("source");

        var added = await (await admin.PostAsJsonAsync("/api/v1/admin/vat-rates", new
        {
            country = "MT", rateBasisPoints = 1900, effectiveFrom = "2027-01-01", source = "Maltese budget law 2027 (announced)",
        })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(1800, await RateAsync("MT", "2026-12-31"));
        Assert.Equal(1900, await RateAsync("MT", "2027-01-01"));
        var changes = (await (await admin.GetAsync("/api/v1/admin/vat-rates/changes")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(c => c.GetProperty("country").GetString() == "MT").ToList();
        Assert.Equal(["added", "ended"], changes.Select(c => c.GetProperty("action").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal("2026-12-31", changes.Single(c => c.GetProperty("action").GetString() == "ended").GetProperty("effectiveTo").GetString());
        Assert.All(changes, c => Assert.NotEqual(JsonValueKind.Null, c.GetProperty("byId").ValueKind));

        // A rate in force is history; a customer may not touch any.
        var inForce = (await (await app.Anonymous().GetAsync("/api/v1/vat/rates?country=MT")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().First();
        await (await admin.DeleteAsync($"/api/v1/admin/vat-rates/{inForce.GetProperty("id").GetString()}")).AssertNamesFieldAsync("rate");
        var (email, _, _) = Unique.Customer("vat");
        await admin.CreateCustomerAsync(email);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.DeleteAsync($"/api/v1/admin/vat-rates/{added.GetProperty("id").GetString()}")).StatusCode);

        (await admin.DeleteAsync($"/api/v1/admin/vat-rates/{added.GetProperty("id").GetString()}")).EnsureSuccessStatusCode();
        Assert.Equal(1800, await RateAsync("MT", "2027-01-01"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/admin/vat-rates/{added.GetProperty("id").GetString()}")).StatusCode);
        var after = (await (await admin.GetAsync("/api/v1/admin/vat-rates/changes")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(c => c.GetProperty("country").GetString() == "MT").Select(c => c.GetProperty("action").GetString()!).ToList();
        Assert.Contains("withdrawn", after);
        Assert.Contains("reopened", after);
    }
}
